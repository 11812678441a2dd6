import type { Logger } from '@freiplatz/config';
import { type ApiKeyRecord, type Db, findApiKey, insertAuditEntries } from '@freiplatz/db';
import { fingerprintKey, parseApiKey, verifySecret } from './api-key.js';
import type { FailureLimiter } from './failure-limiter.js';
import { type AuthenticatedKey, toAuthenticatedKey } from './ops-env.js';
import { createVerificationGate } from './verification-gate.js';

/** Who presents a key, and where: for the failure limit and the audit log. */
export interface KeyAttempt {
  token: string | undefined;
  /** The client address (behind trusted proxies, the forwarded one). */
  client: string;
  method: string;
  path: string;
  now: Date;
}

export type KeyAuthResult =
  | { ok: true; key: AuthenticatedKey }
  | { ok: false; code: 'RATE_LIMITED'; retryAfter: number; reason: string }
  | { ok: false; code: 'UNAUTHORIZED'; reason: string };

/** The one authentication of operator keys, for the bearer API and the dashboard's sign-in. */
export type AuthenticateKey = (attempt: KeyAttempt) => Promise<KeyAuthResult>;

export interface KeyAuthenticatorOptions {
  db: Db;
  logger: Logger;
  limiter: FailureLimiter;
  /** How long a verified key skips scrypt (revocation is still checked every time). Default 5 min. */
  verifiedTtlMs?: number;
  /** scrypt checks at once (each ~32 MiB, one thread); default 2. */
  maxConcurrentChecks?: number;
  /** Checks that may wait for a turn (more than one client's failure limit); more are answered 429 at once. Default 16. */
  maxWaitingChecks?: number;
}

// A well-formed hash no key matches: unknown key ids cost the same scrypt as known ones.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const MAX_VERIFIED = 1000;

/**
 * Creates `authenticateKey`: one row by the key's id, scrypt compared in constant time (a dummy hash
 * for unknown ids), revoked keys refused at once. Every attempt that needs scrypt is counted against
 * the client before hashing and forgiven only when it succeeds, so parallel guesses cannot outrun the
 * limit; at most a few scrypt checks run at once, the same key's concurrent checks share one, and
 * every failure is audited as `auth.failed`.
 */
export function createKeyAuthenticator(options: KeyAuthenticatorOptions): AuthenticateKey {
  const { db, limiter } = options;
  const ttl = options.verifiedTtlMs ?? 300_000;
  const log = options.logger.child({ module: 'ops-auth' });
  const gate = createVerificationGate({ concurrency: options.maxConcurrentChecks ?? 2, queue: options.maxWaitingChecks ?? 16 });
  const verified = new Map<string, { id: string; until: number }>();
  const inFlight = new Map<string, Promise<ApiKeyRecord | null | 'busy'>>();

  const check = async (id: string, secret: string): Promise<ApiKeyRecord | null | 'busy'> => {
    const outcome = await gate.run(async () => {
      const key = await findApiKey(db, id);
      const ok = await verifySecret(secret, key?.secretHash ?? DUMMY_HASH);
      return { key: ok && key ? key : null };
    });
    return outcome === null ? 'busy' : outcome.key;
  };

  return async ({ token, client, method, path, now }) => {
    const at = now.getTime();
    const limited = (reason: string): KeyAuthResult => ({
      ok: false,
      code: 'RATE_LIMITED',
      retryAfter: limiter.retryAfterSeconds(client, at),
      reason,
    });
    if (limiter.isBlocked(client, at)) return limited('too many failed authentications: try again later');
    const fail = async (reason: string, keyId: string | null, counted: boolean): Promise<KeyAuthResult> => {
      if (!counted) limiter.recordFailure(client, at);
      log.warn({ keyId, reason, client, path }, 'operator authentication failed');
      await insertAuditEntries(db, [{ action: 'auth.failed', keyId, method, path, status: 401, detail: { reason, client } }], now);
      return { ok: false, code: 'UNAUTHORIZED', reason };
    };
    if (!token) return fail('missing API key', null, false);
    const parsed = parseApiKey(token.trim());
    if (!parsed) return fail('malformed API key', null, false);
    const fingerprint = fingerprintKey(token.trim());
    const cached = verified.get(fingerprint);
    if (cached && cached.id === parsed.id && cached.until > at) {
      const key = await findApiKey(db, parsed.id);
      if (!key) return fail('invalid API key', parsed.id, false);
      if (key.revokedAt !== null) return fail('API key revoked', key.id, false);
      return { ok: true, key: toAuthenticatedKey(key) };
    }
    // Checks of the same key already running are joined (no second scrypt); a new check is counted first.
    let pending = inFlight.get(fingerprint);
    const counted = pending === undefined;
    if (!pending) {
      limiter.recordFailure(client, at);
      pending = check(parsed.id, parsed.secret);
      const mine = pending;
      inFlight.set(fingerprint, mine);
      void mine.finally(() => inFlight.get(fingerprint) === mine && inFlight.delete(fingerprint)).catch(() => {});
    }
    const key = await pending;
    if (key === 'busy') {
      if (counted) limiter.forgive(client, at);
      return { ok: false, code: 'RATE_LIMITED', retryAfter: 1, reason: 'too many sign-in checks at once: retry in a second' };
    }
    if (!key) return fail('invalid API key', parsed.id, counted);
    if (key.revokedAt !== null) return fail('API key revoked', key.id, counted);
    if (counted) limiter.forgive(client, at);
    if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value as string);
    verified.set(fingerprint, { id: key.id, until: at + ttl });
    return { ok: true, key: toAuthenticatedKey(key) };
  };
}
