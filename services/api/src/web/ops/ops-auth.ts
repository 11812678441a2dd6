import { type Db, findApiKey, insertAuditEntries } from '@freiplatz/db';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { parseApiKey, verifySecret } from '../../middleware/auth/api-key.js';
import type { FailureLimiter } from '../../middleware/auth/failure-limiter.js';
import type { AuthenticatedKey } from '../../middleware/auth/ops-env.js';
import type { SessionCodec } from './session.js';

export const SESSION_COOKIE = 'fp_ops';

export function clientOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export type LoginResult =
  | { ok: true; key: AuthenticatedKey }
  | { ok: false; code: 'RATE_LIMITED' | 'INVALID' | 'NO_SCOPE'; retryAfter?: number };

/** Checks a key typed into the sign-in form (scrypt, constant time), rate-limited per client and audited. */
export async function signIn(
  c: Context,
  deps: { db: Db; limiter: FailureLimiter; sessions: SessionCodec; now: Date; secure: boolean },
  token: string,
): Promise<LoginResult> {
  const client = clientOf(c);
  const at = deps.now.getTime();
  if (deps.limiter.isBlocked(client, at))
    return { ok: false, code: 'RATE_LIMITED', retryAfter: deps.limiter.retryAfterSeconds(client, at) };
  const parsed = parseApiKey(token.trim());
  const key = parsed ? await findApiKey(deps.db, parsed.id) : undefined;
  const valid = parsed !== null && key !== undefined && key.revokedAt === null && (await verifySecret(parsed.secret, key.secretHash));
  if (!valid || !key) {
    deps.limiter.recordFailure(client, at);
    await insertAuditEntries(
      deps.db,
      [
        {
          action: 'auth.failed',
          keyId: parsed?.id ?? null,
          method: 'POST',
          path: '/ops/login',
          status: 401,
          detail: { reason: 'dashboard sign-in', client },
        },
      ],
      deps.now,
    );
    return { ok: false, code: 'INVALID' };
  }
  if (!key.scopes.includes('ops:read')) return { ok: false, code: 'NO_SCOPE' };
  setCookie(c, SESSION_COOKIE, deps.sessions.issue(key.id, deps.now), {
    path: '/ops',
    httpOnly: true,
    sameSite: 'Strict',
    secure: deps.secure,
    maxAge: 8 * 3600,
  });
  await insertAuditEntries(deps.db, [{ action: 'auth.login', keyId: key.id, method: 'POST', path: '/ops/login', status: 303 }], deps.now);
  return { ok: true, key: { id: key.id, name: key.name, scopes: key.scopes, facilityIds: key.facilityIds } };
}

/** The key behind the session cookie, checked again on every request (revocation is immediate). */
export async function readSession(
  c: Context,
  db: Db,
  sessions: SessionCodec,
  now: Date,
): Promise<{ key: AuthenticatedKey; session: string } | null> {
  const session = getCookie(c, SESSION_COOKIE);
  const keyId = sessions.read(session, now);
  if (!keyId || !session) return null;
  const key = await findApiKey(db, keyId);
  if (!key || key.revokedAt !== null || !key.scopes.includes('ops:read')) {
    deleteCookie(c, SESSION_COOKIE, { path: '/ops' });
    return null;
  }
  return { key: { id: key.id, name: key.name, scopes: key.scopes, facilityIds: key.facilityIds }, session };
}
