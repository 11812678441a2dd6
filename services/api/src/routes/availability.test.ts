import { createSilentLogger } from '@freiplatz/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../../../../test/harness.js';
import { createApp } from '../app.js';

describe('GET /v1/facilities/{id}/availability', () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  const path = '/v1/facilities/sign/availability';
  const stateVersion = async (id: string) =>
    (await h.db.selectFrom('facility_state').select('version').where('facility_id', '=', id).executeTakeFirstOrThrow()).version;

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'sign', spots: 3 }, { id: 'dark', spots: 2 }));
    // LISTEN/NOTIFY mode, as in production: reads come from the in-memory copy.
    app = createApp({ db: h.db, logger: createSilentLogger(), databaseUrl: h.databaseUrl });
    await h.startIngest();
  });
  afterAll(async () => {
    await app.close();
    await h?.close();
  });

  it('answers a small body with a strong ETag from the state version and cache headers', async () => {
    const res = await app.hono.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toBe(`"sign-${await stateVersion('sign')}"`);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=5, stale-while-revalidate=30');
    expect(await res.json()).toEqual({
      id: 'sign',
      capacity: 3,
      free: 0,
      occupied: 0,
      unknown: 3,
      closed: 0,
      status: 'unknown',
      updatedAt: expect.any(String),
    });
  });

  it('answers 304 with an empty body when If-None-Match matches, also weak, in a list or as *', async () => {
    const etag = `"sign-${await stateVersion('sign')}"`;
    for (const header of [etag, `W/${etag}`, `"sign-0", ${etag}`, `"x-1",W/${etag} `, '*']) {
      const res = await app.hono.request(path, { headers: { 'If-None-Match': header } });
      expect(res.status, header).toBe(304);
      expect(await res.text()).toBe('');
      expect(res.headers.get('ETag')).toBe(etag);
      expect(res.headers.get('Cache-Control')).toBe('public, max-age=5, stale-while-revalidate=30');
    }
    const miss = await app.hono.request(path, { headers: { 'If-None-Match': '"sign-0", "other-1"' } });
    expect(miss.status).toBe(200);
  });

  it('keeps the security headers on a 200 and sends a 304 only what a cache needs (RFC 9110 §15.4.5)', async () => {
    const full = await app.hono.request(path, { headers: { Origin: 'https://example.org' } });
    expect(full.status).toBe(200);
    for (const name of ['Strict-Transport-Security', 'X-Content-Type-Options', 'X-Frame-Options', 'X-Request-Id', 'Content-Type'])
      expect(full.headers.get(name), name).not.toBeNull();
    const etag = full.headers.get('ETag') as string;
    const lean = await app.hono.request(path, { headers: { 'If-None-Match': etag, Origin: 'https://example.org' } });
    expect(lean.status).toBe(304);
    expect([...lean.headers.keys()].sort()).toEqual([
      'access-control-allow-origin',
      'access-control-expose-headers',
      'cache-control',
      'etag',
    ]);
    // A request id the client sent comes back; one made up for it does not.
    const traced = await app.hono.request(path, { headers: { 'If-None-Match': etag, 'X-Request-Id': 'sign-poll-1' } });
    expect(traced.headers.get('X-Request-Id')).toBe('sign-poll-1');
    const badId = await app.hono.request(path, { headers: { 'If-None-Match': etag, 'X-Request-Id': 'has space' } });
    expect(badId.headers.get('X-Request-Id')).toBeNull();
  });

  it('trims the 304 of a web asset the same way', async () => {
    const full = await app.hono.request('/assets/signage.js');
    expect(full.status).toBe(200);
    expect(full.headers.get('X-Content-Type-Options')).toBe('nosniff');
    const lean = await app.hono.request('/assets/signage.js', { headers: { 'If-None-Match': full.headers.get('ETag') as string } });
    expect(lean.status).toBe(304);
    expect(lean.headers.get('X-Content-Type-Options')).toBeNull();
    expect(lean.headers.get('ETag')).toBe(full.headers.get('ETag'));
    expect(lean.headers.get('Cache-Control')).toBe(full.headers.get('Cache-Control'));
  });

  it('moves the ETag when an event changes the counts', async () => {
    const before = (await app.hono.request(path)).headers.get('ETag') ?? '';
    await h.publish('parking/v1/bays/sign-1-s', { occupied: false, ts: Date.now(), seq: 1 });
    await expect.poll(async () => (await app.hono.request(path)).headers.get('ETag')).not.toBe(before);
    const res = await app.hono.request(path, { headers: { 'If-None-Match': before } });
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toBe(`"sign-${await stateVersion('sign')}"`);
    // One sensor heard of three: the counts say so, the status does not guess (minKnownShare 0.5).
    expect(await res.json()).toMatchObject({ free: 1, unknown: 2, closed: 0, status: 'unknown' });
  });

  it('gives the bare free count as text for LED signs, or - when the status is unknown', async () => {
    await h.publish('parking/v1/bays/sign-2-s', { occupied: false, ts: Date.now(), seq: 1 });
    await expect.poll(async () => (await app.hono.request(`${path}?format=text`)).text()).toBe('2');
    const res = await app.hono.request(`${path}?format=text`);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect(res.headers.get('ETag')).toBe(`"sign-${await stateVersion('sign')}"`);
    const dark = await app.hono.request('/v1/facilities/dark/availability?format=text');
    expect(await dark.text()).toBe('-');
    const json = await app.hono.request(`${path}?format=json`);
    expect(json.headers.get('Content-Type')).toMatch(/^application\/json/);
  });

  it('answers a category view from the in-memory state with that category alone', async () => {
    await h.importRegistry(buildRegistry({ id: 'duo', spots: ['standard', 'standard', 'disabled'] }));
    await h.publish('parking/v1/bays/duo-1-s', { occupied: false, ts: Date.now(), seq: 1 });
    await h.publish('parking/v1/bays/duo-2-s', { occupied: false, ts: Date.now(), seq: 1 });
    await h.publish('parking/v1/bays/duo-3-s', { occupied: true, ts: Date.now(), seq: 1 });
    await expect.poll(async () => (await app.hono.request('/v1/facilities/duo/availability?format=text')).text()).toBe('2');
    expect(await (await app.hono.request('/v1/facilities/duo/availability?category=disabled')).json()).toMatchObject({
      id: 'duo',
      category: 'disabled',
      capacity: 1,
      free: 0,
      occupied: 1,
      status: 'full',
    });
    expect(await (await app.hono.request('/v1/facilities/duo/availability?format=text&category=disabled')).text()).toBe('0');
  });

  it('rejects an unknown format with 400 in the error shape', async () => {
    const res = await app.hono.request(`${path}?format=xml`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('format'), requestId: expect.any(String) },
    });
  });

  it('sends the same security, CORS and request-id headers on the signage fast path as on every other route', async () => {
    const fast = await app.hono.request(path, { headers: { Origin: 'https://example.org', 'X-Request-Id': 'sign-7' } });
    const normal = await app.hono.request('/v1/facilities/sign', { headers: { Origin: 'https://example.org', 'X-Request-Id': 'sign-7' } });
    const skip = new Set(['content-type', 'content-length', 'etag', 'cache-control', 'vary']);
    const headersOf = (res: Response) => Object.fromEntries([...res.headers.entries()].filter(([k]) => !skip.has(k)));
    expect(headersOf(fast)).toEqual(headersOf(normal));
    expect(fast.headers.get('X-Request-Id')).toBe('sign-7');
    expect(fast.headers.get('Strict-Transport-Security')).not.toBeNull();
  });

  it('answers 404 for an unknown facility even with If-None-Match: *', async () => {
    const res = await app.hono.request('/v1/facilities/nope/availability', { headers: { 'If-None-Match': '*' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('ETag')).toBeNull();
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});
