import { type Db, insertAuditEntries } from '@freiplatz/db';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../../app-env.js';
import type { AuthenticateKey } from '../../middleware/auth/authenticate-key.js';
import { type AuthenticatedKey, toAuthenticatedKey } from '../../middleware/auth/ops-env.js';
import { hasScope } from '../../ops/operator.js';
import type { OpsSessions } from './session.js';

export const SESSION_COOKIE = 'fp_ops';
/** Holds the nonce the sign-in form's token is bound to (login CSRF). */
export const LOGIN_COOKIE = 'fp_ops_login';

export interface OpsAuthDeps {
  db: Db;
  sessions: OpsSessions;
  authenticateKey: AuthenticateKey;
  clientKey: (c: Context<AppEnv>) => string;
  secure: boolean;
}

const cookieOptions = (secure: boolean, maxAge: number) => ({ path: '/ops', httpOnly: true, sameSite: 'Strict', secure, maxAge }) as const;

/**
 * True unless the browser says the request came from another site. `Sec-Fetch-Site` decides when
 * sent (it must be `same-origin`); else `Origin` must name this host (browsers send `null` under
 * `Referrer-Policy: no-referrer`, which counts as foreign then). Requests with neither (not a
 * browser) pass here and still need the form token.
 */
export function isSameOrigin(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  const host = c.req.header('host')?.replace(/:\d+$/, '').toLowerCase();
  try {
    return host !== undefined && new URL(origin).hostname.toLowerCase() === host;
  } catch {
    return false;
  }
}

/** The sign-in form's token: bound to the nonce in the sign-in cookie, which is set here when missing. */
export function loginFormToken(c: Context, deps: OpsAuthDeps): string {
  const nonce = getCookie(c, LOGIN_COOKIE);
  if (nonce && /^[A-Za-z0-9_-]{32}$/.test(nonce)) return deps.sessions.loginToken(nonce);
  const fresh = deps.sessions.newLogin();
  setCookie(c, LOGIN_COOKIE, fresh.nonce, cookieOptions(deps.secure, 3600));
  return fresh.formToken;
}

export type LoginResult =
  | { ok: true; key: AuthenticatedKey }
  | { ok: false; code: 'CROSS_SITE' | 'INVALID' | 'NO_SCOPE' }
  | { ok: false; code: 'RATE_LIMITED'; retryAfter: number };

/**
 * Signs in with a key typed into the form: same-origin and the form's login token first, then the
 * one `authenticateKey` (rate limit, scrypt, audit); on success a server-side session and its cookie.
 */
export async function signIn(c: Context, deps: OpsAuthDeps, form: { key: unknown; login: unknown }, now: Date): Promise<LoginResult> {
  if (!isSameOrigin(c) || !deps.sessions.checkLogin(getCookie(c, LOGIN_COOKIE), form.login)) return { ok: false, code: 'CROSS_SITE' };
  const token = typeof form.key === 'string' ? form.key : '';
  const result = await deps.authenticateKey({
    token,
    client: deps.clientKey(c as Context<AppEnv>),
    method: 'POST',
    path: '/ops/login',
    now,
  });
  if (!result.ok)
    return result.code === 'RATE_LIMITED'
      ? { ok: false, code: 'RATE_LIMITED', retryAfter: result.retryAfter }
      : { ok: false, code: 'INVALID' };
  if (!hasScope(result.key, 'ops:read')) return { ok: false, code: 'NO_SCOPE' };
  setCookie(c, SESSION_COOKIE, await deps.sessions.start(result.key.id, now), cookieOptions(deps.secure, 8 * 3600));
  deleteCookie(c, LOGIN_COOKIE, { path: '/ops' });
  await insertAuditEntries(deps.db, [{ action: 'auth.login', keyId: result.key.id, method: 'POST', path: '/ops/login', status: 303 }], now);
  return { ok: true, key: result.key };
}

/** The key behind the session cookie, checked again on every request (an ended session or a revoked key is out at once). */
export async function readSession(c: Context, deps: OpsAuthDeps, now: Date): Promise<{ key: AuthenticatedKey; session: string } | null> {
  const session = getCookie(c, SESSION_COOKIE);
  const key = session ? await deps.sessions.find(session, now) : undefined;
  if (!session || !key || key.revokedAt !== null || !hasScope(key, 'ops:read')) {
    if (session) deleteCookie(c, SESSION_COOKIE, { path: '/ops' });
    return null;
  }
  return { key: toAuthenticatedKey(key), session };
}

/** Ends the session of the request: same origin and the session's form token required. */
export async function signOut(c: Context, deps: OpsAuthDeps, csrf: unknown, now: Date): Promise<boolean> {
  const auth = await readSession(c, deps, now);
  if (!auth || !isSameOrigin(c) || !deps.sessions.checkCsrf(auth.session, csrf)) return false;
  await deps.sessions.end(auth.session, now);
  deleteCookie(c, SESSION_COOKIE, { path: '/ops' });
  await insertAuditEntries(deps.db, [{ action: 'auth.logout', keyId: auth.key.id, method: 'POST', path: '/ops/logout', status: 303 }], now);
  return true;
}
