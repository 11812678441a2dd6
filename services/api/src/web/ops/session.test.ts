import { createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorKey } from '../../cli/operator-keys.js';
import { createOpsSessions } from './session.js';

const now = new Date('2026-11-27T10:00:00Z');

describe('operator sessions (server-side)', () => {
  let h: Harness;
  let keyId = '';
  beforeAll(async () => {
    h = await createHarness();
    const created = await createOperatorKey(h.db, { name: 'session test', scopes: ['ops:read'], facilityIds: [] });
    if (!created.ok) throw new Error(created.message);
    keyId = created.id;
  });
  afterAll(async () => h?.close());

  it('finds the key of a session until it expires', async () => {
    const sessions = createOpsSessions(h.db, Buffer.alloc(32, 7), 60_000);
    const token = await sessions.start(keyId, now);
    expect((await sessions.find(token, new Date(now.getTime() + 59_000)))?.id).toBe(keyId);
    expect(await sessions.find(token, new Date(now.getTime() + 61_000))).toBeUndefined();
  });

  it('ends a session for every holder of the same database, at once', async () => {
    const a = createOpsSessions(h.db, Buffer.alloc(32, 7));
    const b = createOpsSessions(h.db, Buffer.alloc(32, 7));
    const token = await a.start(keyId, now);
    expect((await b.find(token, now))?.id).toBe(keyId);
    expect(await a.end(token, now)).toBe(true);
    expect(await b.find(token, now)).toBeUndefined();
    expect(await a.end(token, now)).toBe(false);
  });

  it.each([
    ['garbage', 'not-a-session'],
    ['nothing', ''],
    ['a well-formed unknown token', 'A'.repeat(43)],
  ])('finds nothing for %s', async (_name, token) => {
    expect(await createOpsSessions(h.db).find(token, now)).toBeUndefined();
  });

  it('binds form tokens to their session and sign-in tokens to their nonce and secret', async () => {
    const sessions = createOpsSessions(h.db, Buffer.alloc(32, 7));
    const other = createOpsSessions(h.db, Buffer.alloc(32, 8));
    const [s1, s2] = [await sessions.start(keyId, now), await sessions.start(keyId, now)];
    expect(sessions.checkCsrf(s1, sessions.csrfToken(s1))).toBe(true);
    expect(sessions.checkCsrf(s1, sessions.csrfToken(s2))).toBe(false);
    expect(sessions.checkCsrf(s1, undefined)).toBe(false);
    const { nonce, formToken } = sessions.newLogin();
    expect(sessions.checkLogin(nonce, formToken)).toBe(true);
    expect(other.checkLogin(nonce, formToken)).toBe(false);
    expect(sessions.checkLogin(sessions.newLogin().nonce, formToken)).toBe(false);
    expect(sessions.checkLogin(undefined, formToken)).toBe(false);
  });
});
