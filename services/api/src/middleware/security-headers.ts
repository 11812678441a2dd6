import type { MiddlewareHandler } from 'hono';
import { SECURITY_HEADERS } from '../answers/public-headers.js';

const FIELDS = Object.entries(SECURITY_HEADERS);

/** Sets the security header fields (answers/public-headers.ts) on every answer, and drops `X-Powered-By`. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  const { headers } = c.res;
  for (const [name, value] of FIELDS) headers.set(name, value);
  headers.delete('X-Powered-By');
};
