import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface SessionCodec {
  /** A cookie value naming the key, valid for `ttlMs`. */
  issue(keyId: string, now: Date): string;
  /** The key id of a valid, unexpired cookie value, else null. */
  read(value: string | undefined, now: Date): string | null;
  /** A form token bound to the session (double-submit protection for dashboard writes). */
  csrfToken(sessionValue: string): string;
}

/**
 * Signed operator sessions: `<keyId>.<expiresMs>.<hmac>`. The cookie holds no secret of the key;
 * the key itself is checked again (revocation) on every request. Replicas share `secret`.
 */
export function createSessionCodec(secret: Buffer = randomBytes(32), ttlMs = 8 * 3_600_000): SessionCodec {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    issue(keyId, now) {
      const payload = `${keyId}.${now.getTime() + ttlMs}`;
      return `${payload}.${sign(payload)}`;
    },
    read(value, now) {
      const m = value ? /^([a-z0-9]{1,32})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
      if (!m?.[1] || !m[2] || !m[3]) return null;
      const expected = Buffer.from(sign(`${m[1]}.${m[2]}`));
      const actual = Buffer.from(m[3]);
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
      return Number(m[2]) > now.getTime() ? m[1] : null;
    },
    csrfToken(sessionValue) {
      return sign(`csrf:${sessionValue}`);
    },
  };
}
