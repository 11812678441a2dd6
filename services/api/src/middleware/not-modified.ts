import type { MiddlewareHandler } from 'hono';
import { RETAINED_304_HEADERS } from 'hono/etag';

/**
 * Header fields a `304 Not Modified` keeps: those RFC 9110 §15.4.5 lists (Cache-Control,
 * Content-Location, Date, ETag, Expires, Vary — hono/etag's `RETAINED_304_HEADERS`), and the CORS
 * fields, so that a cross-origin revalidation never depends on how a browser merges them.
 * Everything else (the security headers, Content-Type …) stays what the cached 200 carried: a
 * cache updates the stored response with the 304's fields and keeps the rest (RFC 9111 §4.3.4).
 */
const RETAINED = new Set([
  ...RETAINED_304_HEADERS.map((name) => name.toLowerCase()),
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
]);

/**
 * Whether a 304 keeps a header field. `X-Request-Id` is kept when it echoes the id the client
 * sent (a client that sends one wants to find its request in our logs); a made-up id is dropped.
 */
export function keepOn304(name: string, value: string, clientRequestId: string | undefined): boolean {
  const lower = name.toLowerCase();
  return RETAINED.has(lower) || (lower === 'x-request-id' && value === clientRequestId);
}

/**
 * Trims every 304 of the app to the fields above. Signs poll availability every few seconds and
 * nearly always get a 304: its header block is all they download, and it shrank from ~700 to
 * ~200 bytes. Registered first, so it sees the headers every other middleware added.
 */
export const notModifiedHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.status !== 304) return;
  const clientRequestId = c.req.header('X-Request-Id');
  const drop: string[] = [];
  c.res.headers.forEach((value, name) => {
    if (!keepOn304(name, value, clientRequestId)) drop.push(name);
  });
  for (const name of drop) c.res.headers.delete(name);
};
