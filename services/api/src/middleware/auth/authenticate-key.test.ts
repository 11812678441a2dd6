import { createSilentLogger } from '@freiplatz/config';
import { createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorKey } from '../../cli/operator-keys.js';
import { parseApiKey } from './api-key.js';
import { createKeyAuthenticator, type KeyAttempt } from './authenticate-key.js';
import { createFailureLimiter } from './failure-limiter.js';

const unknownKey = (i: number) => `fpk_${String(i).padStart(12, 'a')}_${'A'.repeat(43)}`;

describe('authenticateKey', () => {
  let h: Harness;
  let token = '';
  beforeAll(async () => {
    h = await createHarness();
    const created = await createOperatorKey(h.db, { name: 'auth test', scopes: ['ops:read'], facilityIds: [] });
    if (!created.ok) throw new Error(created.message);
    token = created.token;
  });
  afterAll(async () => h?.close());

  const make = (gate: { maxConcurrentChecks?: number; maxWaitingChecks?: number } = {}) =>
    createKeyAuthenticator({
      db: h.db,
      logger: createSilentLogger(),
      limiter: createFailureLimiter({ limit: 10, windowMs: 60_000 }),
      ...gate,
    });
  const attempt = (t: string | undefined, client = '198.51.100.7'): KeyAttempt => ({
    token: t,
    client,
    method: 'POST',
    path: '/test',
    now: new Date(),
  });
  const failures = async () => (await h.db.selectFrom('audit_log').select('id').where('action', '=', 'auth.failed').execute()).length;

  it('counts every attempt before hashing: 200 parallel guesses from one client make 10 checks, the rest 429 at once', async () => {
    const auth = make();
    const before = await failures();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => auth(attempt(unknownKey(i)))));
    expect(results.filter((r) => !r.ok && r.code === 'UNAUTHORIZED')).toHaveLength(10);
    expect(results.filter((r) => !r.ok && r.code === 'RATE_LIMITED')).toHaveLength(190);
    expect((await failures()) - before).toBe(10);
    // Locked out, even with the right key, while another client signs in.
    expect(await auth(attempt(token))).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    expect(await auth(attempt(token, '198.51.100.8'))).toMatchObject({ ok: true });
  });

  it('runs at most the gate’s scrypt checks at once (unknown key ids included) and turns the excess away with 429', async () => {
    const auth = make({ maxConcurrentChecks: 1, maxWaitingChecks: 2 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => auth(attempt(unknownKey(i), `203.0.113.${i}`))));
    expect(results.filter((r) => !r.ok && r.code === 'UNAUTHORIZED')).toHaveLength(3);
    const busy = results.filter((r) => !r.ok && r.code === 'RATE_LIMITED');
    expect(busy).toHaveLength(17);
    expect(busy[0]).toMatchObject({ retryAfter: 1 });
    // Turned away is not a failure: those clients are not locked out.
    expect(await auth(attempt(token, '203.0.113.19'))).toMatchObject({ ok: true });
  });

  it('shares one check among concurrent attempts with the same key, and counts a success against no one', async () => {
    const auth = make({ maxConcurrentChecks: 1, maxWaitingChecks: 0 });
    const results = await Promise.all(Array.from({ length: 12 }, () => auth(attempt(token, '192.0.2.1'))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await auth(attempt(token, '192.0.2.1'))).toMatchObject({ ok: true });
  });

  it('refuses a known key id with a wrong secret, and a missing or malformed key, auditing each', async () => {
    const auth = make();
    const { id } = parseApiKey(token)!;
    expect(await auth(attempt(`fpk_${id}_${'B'.repeat(43)}`, '192.0.2.2'))).toMatchObject({
      ok: false,
      code: 'UNAUTHORIZED',
      reason: 'invalid API key',
    });
    expect(await auth(attempt(undefined, '192.0.2.2'))).toMatchObject({ ok: false, code: 'UNAUTHORIZED', reason: 'missing API key' });
    expect(await auth(attempt('nope', '192.0.2.2'))).toMatchObject({ ok: false, code: 'UNAUTHORIZED', reason: 'malformed API key' });
    const rows = await h.db
      .selectFrom('audit_log')
      .select(['key_id', 'detail'])
      .where('action', '=', 'auth.failed')
      .orderBy('id', 'desc')
      .limit(3)
      .execute();
    expect(rows.map((r) => (r.detail as { reason: string }).reason)).toEqual(['malformed API key', 'missing API key', 'invalid API key']);
  });
});
