import { createSilentLogger } from '@freiplatz/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../../../../test/harness.js';
import { headersOf, type Served, serveBoth } from '../../../../test/support/serve-both.js';
import { createApp } from '../app.js';
import { startApiServer } from '../server.js';

const SIGN = '/v1/facilities/sign/availability';
const NEAR = '/v1/facilities?near=52.1246,11.6297';

describe('the node adapter and Hono give the same answer to the same request', () => {
  let h: Harness;
  let s: Served;
  let etag: string;
  const both = async (p: string, init: RequestInit = {}) => {
    const before = s.honoCalls();
    const fast = await fetch(`${s.fast.url}${p}`, init);
    const viaHono = s.honoCalls() > before;
    const hono = await fetch(`${s.honoUrl}${p}`, init);
    return { fast, hono, viaHono, fastBody: await fast.text(), honoBody: await hono.text() };
  };

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(
      buildRegistry(
        { id: 'sign', spots: 3, location: { lat: 52.1246, lon: 11.6297 } },
        { id: 'elbe', kind: 'rv_site', spots: ['camper', 'standard'], location: { lat: 52.1246, lon: 11.6397 } },
        // A name outside ASCII: bodies are bytes.
        { id: 'ost', name: 'Östliche Straße „Süd“ 🅿', kind: 'on_street', spots: 2, location: { lat: 52.1246, lon: 11.6497 } },
      ),
    );
    s = await serveBoth(h);
    await h.startIngest();
  });
  afterAll(async () => {
    await s?.close();
    await h?.close();
  });

  it('serves a notified change from the new entry', async () => {
    // Two of three heard: enough known (minKnownShare 0.5) for a count on the sign.
    await h.publish('parking/v1/bays/sign-1-s', { occupied: false, ts: Date.now(), seq: 1 });
    await h.publish('parking/v1/bays/sign-2-s', { occupied: true, ts: Date.now(), seq: 1 });
    await expect.poll(async () => await (await fetch(`${s.fast.url}${SIGN}?format=text`)).text()).toBe('1');
    etag = (await fetch(`${s.fast.url}${SIGN}`)).headers.get('ETag') as string;
  });

  const withId = { Origin: 'https://example.org', 'X-Request-Id': 'same-1' };
  it.each([
    ['availability', SIGN, {}, 200],
    ['availability, format=json', `${SIGN}?format=json`, {}, 200],
    ['availability, format=text', `${SIGN}?format=text`, {}, 200],
    ['availability, empty query', `${SIGN}?`, {}, 200],
    ['availability, If-None-Match', SIGN, { 'If-None-Match': 'ETAG' }, 304],
    ['availability, weak If-None-Match', SIGN, { 'If-None-Match': 'W/ETAG' }, 304],
    ['availability, If-None-Match list', SIGN, { 'If-None-Match': '"x-1", ETAG' }, 304],
    ['availability, If-None-Match *', SIGN, { 'If-None-Match': '*' }, 304],
    ['availability, stale If-None-Match', SIGN, { 'If-None-Match': '"sign-0"' }, 200],
    ['near', `${NEAR}&radius=3000&limit=2`, {}, 200],
    ['near, encoded comma', '/v1/facilities?near=52.1246%2C11.6297&limit=1', {}, 200],
    ['near, radius and limit at their maxima', `${NEAR}&radius=50000&limit=200`, {}, 200],
    ['near, GeoJSON', NEAR, { Accept: 'application/geo+json' }, 200],
    ['near with a category', `${NEAR}&category=standard&limit=1`, {}, 200],
    ['near with a filter', `${NEAR}&kind=on_street,car_park&available=false`, {}, 200],
    ['search by id', '/v1/facilities', {}, 200],
    ['search, empty query', '/v1/facilities?', {}, 200],
    ['search with filters', '/v1/facilities?kind=rv_site,on_street&category=camper&available=false', {}, 200],
  ] as Array<[string, string, Record<string, string>, number]>)('answers %s itself, as Hono does', async (_name, p, extra, status) => {
    const headers = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v.replace('ETAG', etag)]));
    for (const sent of [{ ...withId, ...headers }, headers]) {
      const r = await both(p, { headers: sent });
      expect(r.viaHono).toBe(false);
      expect(r.fast.status).toBe(status);
      expect(r.fastBody).toBe(r.honoBody);
      const id = r.fast.headers.get('X-Request-Id');
      if (sent === headers) {
        // No id of the client's: a 200 gets a new one (each path its own), a 304 none.
        expect(id === null ? null : id.length).toBe(status === 304 ? null : 36);
        expect({ ...headersOf(r.fast), 'x-request-id': '' }).toEqual({ ...headersOf(r.hono), 'x-request-id': '' });
      } else {
        expect(id).toBe('same-1');
        expect(headersOf(r.fast)).toEqual(headersOf(r.hono));
      }
      if (status === 200) expect(r.fast.headers.get('Content-Length')).toBe(String(Buffer.byteLength(r.fastBody)));
    }
  });

  it.each([
    ['an unknown facility', '/v1/facilities/nope/availability', {}, 404],
    ['a malformed id', '/v1/facilities/NOPE!/availability', {}, 400],
    ['a bad format', `${SIGN}?format=xml`, {}, 400],
    ['a category sign', `${SIGN}?category=standard`, {}, 200],
    ['another query parameter', `${SIGN}?format=text&x=1`, {}, 200],
    ['a percent-encoded id', '/v1/facilities/si%67n/availability', {}, 200],
    ['a trailing slash', `${SIGN}/`, {}, 404],
    ['HEAD', SIGN, { method: 'HEAD' }, 200],
    ['POST', SIGN, { method: 'POST' }, 405],
    [
      'OPTIONS preflight',
      SIGN,
      { method: 'OPTIONS', headers: { Origin: 'https://x.example', 'Access-Control-Request-Method': 'GET' } },
      204,
    ],
    ['a bad search parameter', '/v1/facilities?near=north', {}, 400],
    ['radius without near', '/v1/facilities?radius=10', {}, 400],
    ['a foreign cursor', '/v1/facilities?cursor=abc', {}, 400],
    ['a longer path', '/v1/facilitiesx', {}, 404],
    ['a search by HEAD', NEAR, { method: 'HEAD' }, 200],
  ] as Array<[string, string, RequestInit, number]>)('leaves %s to Hono', async (_name, p, init, status) => {
    const r = await both(p, { ...init, headers: { ...(init.headers as Record<string, string>), 'X-Request-Id': 'fall-1' } });
    expect(r.viaHono).toBe(true);
    expect(r.fast.status).toBe(status);
    expect(headersOf(r.fast)).toEqual(headersOf(r.hono));
    expect(r.fastBody).toBe(r.honoBody);
  });

  it('pages a near search with the cursor of the adapter', async () => {
    const first = JSON.parse((await both(`${NEAR}&limit=1`)).fastBody) as { nextCursor: string };
    const second = await both(`${NEAR}&limit=1&cursor=${first.nextCursor}`);
    expect(second.viaHono).toBe(false);
    expect(second.fastBody).toBe(second.honoBody);
    expect((JSON.parse(second.fastBody) as { items: Array<{ id: string }> }).items.map((i) => i.id)).toEqual(['elbe']);
  });

  it.each([
    [`${SIGN}?format=text`, SIGN],
    [NEAR, '/v1/facilities'],
  ])('writes the debug access-log line of Hono for %s', async (p, logged) => {
    s.lines.length = 0;
    expect((await both(p, { headers: { 'X-Request-Id': 'log-1' } })).viaHono).toBe(false);
    const [fast, hono, ...rest] = s.lines
      .filter((l) => l.msg === 'request')
      .map(({ requestId, method, path, status }) => ({ requestId, method, path, status }));
    expect(rest).toEqual([]);
    expect(fast).toEqual({ requestId: 'log-1', method: 'GET', path: logged, status: 200 });
    expect(hono).toEqual(fast);
  });
});

describe('the node adapter shares the limits and the state of Hono', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'sign', spots: 2 }));
  });
  afterAll(async () => h?.close());

  it('spends the same rate-limit tokens and leaves the 429 to Hono', async () => {
    const s = await serveBoth(h, { rateLimit: { ratePerSecond: 0.001, burst: 3 } });
    try {
      const url = `${s.fast.url}${SIGN}`;
      for (let i = 0; i < 3; i++) expect((await fetch(url)).status).toBe(200);
      expect(s.honoCalls()).toBe(0);
      const limited = await fetch(url, { headers: { 'X-Request-Id': 'rl-1' } });
      expect(limited.status).toBe(429);
      expect(s.honoCalls()).toBe(1);
      expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
      expect(await limited.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String), requestId: 'rl-1' } });
      // One bucket: the Hono path of the same app is limited too.
      expect((await fetch(`${s.honoUrl}${SIGN}`)).status).toBe(429);
    } finally {
      await s.close();
    }
  });

  it('keys the limit on X-Forwarded-For only behind a trusted proxy, as Hono does', async () => {
    const s = await serveBoth(h, { rateLimit: { ratePerSecond: 0.001, burst: 1 }, trustedProxies: ['127.0.0.1'] });
    try {
      const from = (ip: string) => fetch(`${s.fast.url}${SIGN}`, { headers: { 'X-Forwarded-For': `203.0.113.9, ${ip}` } });
      expect((await from('198.51.100.1')).status).toBe(200);
      expect((await from('198.51.100.2')).status).toBe(200);
      expect(s.honoCalls()).toBe(0);
      expect((await from('198.51.100.1')).status).toBe(429);
    } finally {
      await s.close();
    }
  });

  it('waits for a read-through when the state is not kept current by LISTEN (no databaseUrl)', async () => {
    const app = createApp({ db: h.db, logger: createSilentLogger() });
    const fetchApp = app.hono.fetch;
    let calls = 0;
    app.hono.fetch = (req, env, ctx) => {
      calls += 1;
      return fetchApp(req, env, ctx);
    };
    const server = await startApiServer({ app, port: 0 });
    try {
      const res = await fetch(`${server.url}${SIGN}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: 'sign', capacity: 2 });
      const etag = res.headers.get('ETag') as string;
      expect((await fetch(`${server.url}${SIGN}`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
      expect(calls).toBe(0);
      // A miss, found only after the read, is still the route's to answer; so is search, which needs LISTEN.
      expect((await fetch(`${server.url}/v1/facilities/nope/availability`)).status).toBe(404);
      expect((await fetch(`${server.url}/v1/facilities?limit=1`)).status).toBe(200);
      expect(calls).toBe(2);
    } finally {
      await server.close();
    }
  });
});
