import { createSilentLogger } from '@freiplatz/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../../../../test/harness.js';
import { headersOf, type Served, serveBoth } from '../../../../test/support/serve-both.js';
import { createApp } from '../app.js';
import { startApiServer } from '../server.js';

describe('public reads over a real server: raw node:http path vs Hono path', () => {
  let h: Harness;
  let s: Served;
  const path = '/v1/facilities/sign/availability';
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
        // A name outside ASCII: the raw path writes bodies as bytes.
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

  it('serves a notified change on the raw path', async () => {
    // Two of three heard: enough known (minKnownShare 0.5) for a count on the sign.
    await h.publish('parking/v1/bays/sign-1-s', { occupied: false, ts: Date.now(), seq: 1 });
    await h.publish('parking/v1/bays/sign-2-s', { occupied: true, ts: Date.now(), seq: 1 });
    await expect.poll(async () => await (await fetch(`${s.fast.url}${path}?format=text`)).text()).toBe('1');
    const r = await both(`${path}?format=text`);
    expect(r.viaHono).toBe(false);
    expect(r.fastBody).toBe('1');
  });

  it.each([
    ['JSON', path],
    ['JSON, explicit', `${path}?format=json`],
    ['text', `${path}?format=text`],
    ['empty query', `${path}?`],
  ])('answers %s without Hono, with the same status, headers and body', async (_name, p) => {
    const r = await both(p, { headers: { Origin: 'https://example.org', 'X-Request-Id': 'sign-7' } });
    expect(r.viaHono).toBe(false);
    expect(r.fast.status).toBe(200);
    expect(headersOf(r.fast)).toEqual(headersOf(r.hono));
    expect(r.fastBody).toBe(r.honoBody);
    expect(r.fast.headers.get('X-Request-Id')).toBe('sign-7');
    expect(r.fast.headers.get('Strict-Transport-Security')).not.toBeNull();
    expect(r.fast.headers.get('Content-Length')).toBe(String(Buffer.byteLength(r.fastBody)));
  });

  it('answers 304 without Hono, with the same headers and no body', async () => {
    const etag = (await fetch(`${s.fast.url}${path}`)).headers.get('ETag') as string;
    for (const inm of [etag, `W/${etag}`, `"x-1", ${etag}`, '*']) {
      const r = await both(path, { headers: { 'If-None-Match': inm, 'X-Request-Id': 'sign-8' } });
      expect(r.viaHono, inm).toBe(false);
      expect(r.fast.status).toBe(304);
      expect(headersOf(r.fast)).toEqual(headersOf(r.hono));
      expect(r.fastBody).toBe('');
      // Only what a cache needs: RFC 9110's list, CORS, and the client's own request id.
      expect(Object.keys(headersOf(r.fast)).sort()).toEqual([
        'access-control-allow-origin',
        'access-control-expose-headers',
        'cache-control',
        'etag',
        'x-request-id',
      ]);
      expect(r.fast.headers.get('X-Request-Id')).toBe('sign-8');
    }
    // No id of the client's: none made up on a 304, on either path.
    const anonymous = await both(path, { headers: { 'If-None-Match': etag } });
    expect(anonymous.fast.status).toBe(304);
    expect(anonymous.hono.status).toBe(304);
    expect(anonymous.fast.headers.get('X-Request-Id')).toBeNull();
    expect(headersOf(anonymous.fast)).toEqual(headersOf(anonymous.hono));
    const miss = await both(path, { headers: { 'If-None-Match': '"sign-0"' } });
    expect(miss.fast.status).toBe(200);
  });

  it('makes a request id when the client sends none or an unusable one, as Hono does', async () => {
    for (const headers of [{}, { 'X-Request-Id': 'has space' }, { 'X-Request-Id': 'x'.repeat(129) }] as Array<Record<string, string>>) {
      const r = await both(path, { headers });
      expect(r.viaHono).toBe(false);
      const fastId = r.fast.headers.get('X-Request-Id') ?? '';
      expect(fastId).toMatch(/^[0-9a-f-]{36}$/);
      expect(fastId).not.toBe(r.hono.headers.get('X-Request-Id'));
      expect({ ...headersOf(r.fast), 'x-request-id': '' }).toEqual({ ...headersOf(r.hono), 'x-request-id': '' });
    }
  });

  it.each([
    ['an unknown facility', '/v1/facilities/nope/availability', {}, 404],
    ['a malformed id', '/v1/facilities/NOPE!/availability', {}, 400],
    ['a bad format', `${path}?format=xml`, {}, 400],
    ['another query parameter', `${path}?format=text&x=1`, {}, 200],
    ['a percent-encoded id', '/v1/facilities/si%67n/availability', {}, 200],
    ['a trailing slash', `${path}/`, {}, 404],
    ['HEAD', path, { method: 'HEAD' }, 200],
    ['POST', path, { method: 'POST' }, 405],
    [
      'OPTIONS preflight',
      path,
      { method: 'OPTIONS', headers: { Origin: 'https://x.example', 'Access-Control-Request-Method': 'GET' } },
      204,
    ],
  ] as Array<[string, string, RequestInit, number]>)('leaves %s to Hono, which answers as always', async (_name, p, init, status) => {
    const headers = { ...(init.headers as Record<string, string>), 'X-Request-Id': 'fall-1' };
    const r = await both(p, { ...init, headers });
    expect(r.viaHono).toBe(true);
    expect(r.fast.status).toBe(status);
    expect(headersOf(r.fast)).toEqual(headersOf(r.hono));
    expect(r.fastBody).toBe(r.honoBody);
  });

  it.each([
    ['near', '/v1/facilities?near=52.1246,11.6297&radius=3000&limit=2', {}],
    ['near, encoded comma', '/v1/facilities?near=52.1246%2C11.6297&limit=1', {}],
    ['the first page by id', '/v1/facilities', {}],
    ['filters', '/v1/facilities?kind=rv_site,on_street&category=camper&available=false', {}],
    ['an empty query', '/v1/facilities?', {}],
    ['GeoJSON', '/v1/facilities?near=52.1246,11.6297', { Accept: 'application/geo+json' }],
    ['near, radius and limit at their maxima', '/v1/facilities?near=52.1246,11.6297&radius=50000&limit=200', {}],
    ['near with a category, next page', '/v1/facilities?near=52.1246,11.6297&category=standard&limit=1', {}],
    ['a category by id, next page', '/v1/facilities?category=standard&limit=1', {}],
    ['near with a filter', '/v1/facilities?near=52.1246,11.6297&kind=on_street,car_park&available=false', {}],
  ] as Array<[string, string, Record<string, string>]>)(
    'answers search (%s) without Hono, with the same status, headers and body',
    async (_name, p, headers) => {
      const r = await both(p, { headers: { ...headers, Origin: 'https://example.org', 'X-Request-Id': 'find-1' } });
      expect(r.viaHono).toBe(false);
      expect(r.fast.status).toBe(200);
      expect(headersOf(r.fast)).toEqual(headersOf(r.hono));
      expect(r.fastBody).toBe(r.honoBody);
      expect(JSON.parse(r.fastBody)).toBeTypeOf('object');
    },
  );

  it('pages a near search with the cursor of the raw path', async () => {
    const first = await both('/v1/facilities?near=52.1246,11.6297&limit=1');
    expect(first.viaHono).toBe(false);
    const cursor = (JSON.parse(first.fastBody) as { nextCursor: string }).nextCursor;
    const second = await both(`/v1/facilities?near=52.1246,11.6297&limit=1&cursor=${cursor}`);
    expect(second.viaHono).toBe(false);
    expect(second.fastBody).toBe(second.honoBody);
    expect((JSON.parse(second.fastBody) as { items: Array<{ id: string }> }).items.map((i) => i.id)).toEqual(['elbe']);
  });

  it.each([
    ['a bad parameter', '/v1/facilities?near=north', {}, 400],
    ['radius without near', '/v1/facilities?radius=10', {}, 400],
    ['a foreign cursor', '/v1/facilities?cursor=abc', {}, 400],
    ['a longer path', '/v1/facilitiesx', {}, 404],
    ['HEAD', '/v1/facilities?near=52.1246,11.6297', { method: 'HEAD' }, 200],
  ] as Array<[string, string, RequestInit, number]>)('leaves search with %s to Hono', async (_name, p, init, status) => {
    const r = await both(p, { ...init, headers: { 'X-Request-Id': 'find-2' } });
    expect(r.viaHono).toBe(true);
    expect(r.fast.status).toBe(status);
    expect(headersOf(r.fast)).toEqual(headersOf(r.hono));
    expect(r.fastBody).toBe(r.honoBody);
  });

  it('gives HEAD the headers of the GET (answered by Hono) without a body', async () => {
    const get = await fetch(`${s.fast.url}${path}`, { headers: { 'X-Request-Id': 'h-1' } });
    const head = await fetch(`${s.fast.url}${path}`, { method: 'HEAD', headers: { 'X-Request-Id': 'h-1' } });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const skip = (res: Response) => {
      const { 'content-length': _length, ...rest } = headersOf(res);
      return rest;
    };
    expect(skip(head)).toEqual(skip(get));
  });

  it.each([
    [`${path}?format=text`, path],
    ['/v1/facilities?near=52.1246,11.6297', '/v1/facilities'],
  ])('writes the same debug access-log line for %s as the Hono path', async (p, logged) => {
    s.lines.length = 0;
    const r = await both(p, { headers: { 'X-Request-Id': 'log-1' } });
    expect(r.viaHono).toBe(false);
    const requests = s.lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(2);
    const shape = (l: Record<string, unknown>) => ({ requestId: l.requestId, method: l.method, path: l.path, status: l.status });
    expect(shape(requests[0] as Record<string, unknown>)).toEqual({ requestId: 'log-1', method: 'GET', path: logged, status: 200 });
    expect(shape(requests[0] as Record<string, unknown>)).toEqual(shape(requests[1] as Record<string, unknown>));
    expect(typeof (requests[0] as Record<string, unknown>).ms).toBe('number');
  });
});

describe('signage raw path and the limits it shares with Hono', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'sign', spots: 2 }));
  });
  afterAll(async () => h?.close());

  it('spends the same rate-limit tokens and leaves the 429 to Hono', async () => {
    const s = await serveBoth(h, { rateLimit: { ratePerSecond: 0.001, burst: 3 } });
    try {
      const url = `${s.fast.url}/v1/facilities/sign/availability`;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(url)).status);
      expect(statuses).toEqual([200, 200, 200]);
      expect(s.honoCalls()).toBe(0);
      const limited = await fetch(url, { headers: { 'X-Request-Id': 'rl-1' } });
      expect(limited.status).toBe(429);
      expect(s.honoCalls()).toBe(1);
      expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
      expect(await limited.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String), requestId: 'rl-1' } });
      // The bucket is shared: the Hono path of the same app is limited too.
      expect((await fetch(`${s.honoUrl}/v1/facilities/sign/availability`)).status).toBe(429);
    } finally {
      await s.close();
    }
  });

  it('keys the limit on X-Forwarded-For only behind a trusted proxy, as Hono does', async () => {
    const s = await serveBoth(h, { rateLimit: { ratePerSecond: 0.001, burst: 1 }, trustedProxies: ['127.0.0.1'] });
    try {
      const url = `${s.fast.url}/v1/facilities/sign/availability`;
      const from = (ip: string) => fetch(url, { headers: { 'X-Forwarded-For': `203.0.113.9, ${ip}` } });
      expect((await from('198.51.100.1')).status).toBe(200);
      expect((await from('198.51.100.2')).status).toBe(200);
      expect(s.honoCalls()).toBe(0);
      expect((await from('198.51.100.1')).status).toBe(429);
    } finally {
      await s.close();
    }
  });

  it('waits for a read-through on the raw path when the state is not kept current by LISTEN (no databaseUrl)', async () => {
    const app = createApp({ db: h.db, logger: createSilentLogger() });
    const fetchApp = app.fetch;
    let calls = 0;
    app.fetch = (req, env, ctx) => {
      calls += 1;
      return fetchApp(req, env, ctx);
    };
    const server = await startApiServer({ app, port: 0 });
    try {
      const res = await fetch(`${server.url}/v1/facilities/sign/availability`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: 'sign', capacity: 2 });
      const etag = res.headers.get('ETag') as string;
      expect((await fetch(`${server.url}/v1/facilities/sign/availability`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
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
