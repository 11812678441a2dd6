import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type ApiKeyRecord, type Db, findOpsSessionKey, insertOpsSession, revokeOpsSession } from '@freiplatz/db';

export interface OpsSessions {
  /** Starts a server-side session for the key; returns the cookie value (a random token, stored only hashed). */
  start(keyId: string, now: Date): Promise<string>;
  /** The key of a live session (not expired, not ended; the key's own revocation is the caller's check). */
  find(token: string | undefined, now: Date): Promise<ApiKeyRecord | undefined>;
  /** Ends the session at once, on every replica. */
  end(token: string, now: Date): Promise<boolean>;
  /** The form token bound to a session (dashboard writes and sign-out carry it). */
  csrfToken(token: string): string;
  /** True when a submitted form token is the session's (constant time). */
  checkCsrf(token: string, formToken: unknown): boolean;
  /** A new random value for the sign-in cookie, and the form token that goes with it. */
  newLogin(): { nonce: string; formToken: string };
  /** The sign-in form token for a nonce. */
  loginToken(nonce: string): string;
  /** True when the form token belongs to the nonce of the sign-in cookie. */
  checkLogin(nonce: string | undefined, formToken: unknown): boolean;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Operator sessions kept in the database (`ops_sessions`), so signing out ends them on every
 * replica. Form tokens are HMACs under `secret`, which all replicas share (OPS_SESSION_SECRET).
 */
export function createOpsSessions(db: Db, secret: Buffer = randomBytes(32), ttlMs = 8 * 3_600_000): OpsSessions {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  const hash = (token: string) => createHash('sha256').update(token).digest('base64url');
  const loginToken = (nonce: string) => sign(`login:${nonce}`);
  return {
    async start(keyId, now) {
      const token = randomBytes(32).toString('base64url');
      await insertOpsSession(db, { tokenHash: hash(token), keyId, expiresAt: new Date(now.getTime() + ttlMs) }, now);
      return token;
    },
    async find(token, now) {
      return token && TOKEN.test(token) ? findOpsSessionKey(db, hash(token), now) : undefined;
    },
    end: (token, now) => (TOKEN.test(token) ? revokeOpsSession(db, hash(token), now) : Promise.resolve(false)),
    csrfToken: (token) => sign(`csrf:${token}`),
    checkCsrf: (token, formToken) => typeof formToken === 'string' && equal(sign(`csrf:${token}`), formToken),
    newLogin() {
      const nonce = randomBytes(24).toString('base64url');
      return { nonce, formToken: loginToken(nonce) };
    },
    loginToken,
    checkLogin: (nonce, formToken) =>
      typeof nonce === 'string' &&
      typeof formToken === 'string' &&
      /^[A-Za-z0-9_-]{32}$/.test(nonce) &&
      equal(loginToken(nonce), formToken),
  };
}
