import type { Logger } from '@freiplatz/config';
import { type Db, findApiKey, insertAuditEntries, touchApiKey } from '@freiplatz/db';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../app-env.js';
import { ApiError, renderError } from '../../errors.js';
import { fingerprintKey, parseApiKey, verifySecret } from './api-key.js';
import type { FailureLimiter } from './failure-limiter.js';
import type { OpsEnv } from './ops-env.js';

export interface BearerAuthOptions {
  db: Db;
  logger: Logger;
  now: () => Date;
  limiter: FailureLimiter;
  /** How long a verified key skips scrypt (revocation is still checked on every request). Default 5 min. */
  verifiedTtlMs?: number;
}

// A well-formed hash no key matches: unknown key ids cost the same scrypt as known ones.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const MAX_VERIFIED = 1000;

function clientOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Authenticates `Authorization: Bearer fpk_…` against the hashed keys (one row by the key's id,
 * scrypt compared in constant time), refuses revoked keys at once, rate-limits failures per client,
 * and writes every use and every failure to the audit log.
 */
export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler<OpsEnv> {
  const ttl = options.verifiedTtlMs ?? 300_000;
  const verified = new Map<string, { id: string; until: number }>();
  const log = options.logger.child({ module: 'ops-auth' });

  return async (c, next) => {
    const at = options.now();
    const client = clientOf(c);
    const ctx = c as unknown as Context<AppEnv>;
    if (options.limiter.isBlocked(client, at.getTime())) {
      const retry = String(options.limiter.retryAfterSeconds(client, at.getTime()));
      return renderError(ctx, new ApiError('RATE_LIMITED', 'too many failed authentications: try again later'), { 'Retry-After': retry });
    }
    const fail = async (reason: string, keyId: string | null) => {
      options.limiter.recordFailure(client, at.getTime());
      log.warn({ keyId, reason, client, path: c.req.path }, 'operator authentication failed');
      await insertAuditEntries(
        options.db,
        [{ action: 'auth.failed', keyId, method: c.req.method, path: c.req.path, status: 401, detail: { reason, client } }],
        at,
      );
      return renderError(ctx, new ApiError('UNAUTHORIZED', reason), { 'WWW-Authenticate': 'Bearer realm="freiplatz-ops"' });
    };
    const header = c.req.header('authorization');
    if (!header) return fail('missing bearer API key', null);
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const parsed = token ? parseApiKey(token) : null;
    if (!token || !parsed) return fail('malformed API key', null);
    const key = await findApiKey(options.db, parsed.id);
    const fingerprint = fingerprintKey(token);
    const cached = verified.get(fingerprint);
    let ok = cached !== undefined && cached.id === parsed.id && cached.until > at.getTime();
    if (!ok) ok = (await verifySecret(parsed.secret, key?.secretHash ?? DUMMY_HASH)) && key !== undefined;
    if (!ok || !key) return fail('invalid API key', parsed.id);
    if (key.revokedAt !== null) return fail('API key revoked', key.id);
    if (!cached) {
      if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value as string);
      verified.set(fingerprint, { id: key.id, until: at.getTime() + ttl });
    }
    c.set('apiKey', { id: key.id, name: key.name, scopes: key.scopes, facilityIds: key.facilityIds });
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
