import type { Logger } from '@freiplatz/config';
import { type Db, insertAuditEntries, touchApiKey } from '@freiplatz/db';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../app-env.js';
import { ApiError, renderError } from '../../errors.js';
import type { AuthenticateKey } from './authenticate-key.js';
import type { OpsEnv } from './ops-env.js';

export interface BearerAuthOptions {
  db: Db;
  logger: Logger;
  now: () => Date;
  /** The one key authentication, shared with the dashboard's sign-in. */
  authenticateKey: AuthenticateKey;
  /** The client a request comes from (the forwarded client behind trusted proxies). */
  clientKey: (c: Context<AppEnv>) => string;
}

/**
 * Authenticates `Authorization: Bearer fpk_…` with `authenticateKey` (rate limit, scrypt, revocation,
 * audit of failures) and writes every use to the audit log.
 */
export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler<OpsEnv> {
  const log = options.logger.child({ module: 'ops-auth' });
  return async (c, next) => {
    const at = options.now();
    const ctx = c as unknown as Context<AppEnv>;
    const header = c.req.header('authorization');
    const token = header === undefined ? undefined : (/^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? '');
    const result = await options.authenticateKey({
      token,
      client: options.clientKey(ctx),
      method: c.req.method,
      path: c.req.path,
      now: at,
    });
    if (!result.ok) {
      if (result.code === 'RATE_LIMITED')
        return renderError(ctx, new ApiError('RATE_LIMITED', result.reason), { 'Retry-After': String(result.retryAfter) });
      return renderError(ctx, new ApiError('UNAUTHORIZED', result.reason), { 'WWW-Authenticate': 'Bearer realm="freiplatz-ops"' });
    }
    const key = result.key;
    c.set('apiKey', key);
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } catch (err) {
      status = err instanceof ApiError ? err.status : 500;
      throw err;
    } finally {
      await Promise.all([
        insertAuditEntries(options.db, [{ action: 'key.use', keyId: key.id, method: c.req.method, path: c.req.path, status }], at),
        touchApiKey(options.db, key.id, at),
      ]).catch((err: unknown) => log.error({ err, keyId: key.id }, 'audit write failed'));
    }
  };
}
