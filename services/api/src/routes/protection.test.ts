import { createSilentLogger } from '@freiplatz/config';
import { buildRegistry, createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { startApiServer } from '../server.js';

describe('protection of the public API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'p', spots: 1 }));
  });
  afterAll(async () => h?.close());

  it('limits each client with 429 and Retry-After once its burst is spent', async () => {
    const app = createApp({ db: h.db, logger: createSilentLogger(), rateLimit: { ratePerSecond: 0.5, burst: 3 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.hono.request('/v1/facilities/p/availability')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await app.hono.request('/v1/facilities/p/availability');
    expect(limited.headers.get('Retry-After')).toBe('2');
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Health checks of load balancers are not counted.
    expect((await app.hono.request('/healthz')).status).toBe(200);
  });

  it('limits the pages and /readyz per client with the same budget as the API; /healthz stays open for orchestrators', async () => {
    for (const path of ['/', '/facilities/p', '/signage/p', '/ops', '/readyz']) {
      const app = createApp({ db: h.db, logger: createSilentLogger(), rateLimit: { ratePerSecond: 0.5, burst: 2 } });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await app.hono.request(path)).status);
      expect([path, ...statuses]).toEqual([path, 200, 200, 429]);
      const limited = await app.hono.request(path);
      expect(await limited.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String), requestId: expect.any(String) } });
    }
    // One limiter: tokens spent on the API are gone for the pages too.
    const app = createApp({ db: h.db, logger: createSilentLogger(), rateLimit: { ratePerSecond: 0.5, burst: 2 } });
    expect((await app.hono.request('/v1/facilities/p/availability')).status).toBe(200);
    expect((await app.hono.request('/readyz')).status).toBe(200);
    expect((await app.hono.request('/')).status).toBe(429);
    expect((await app.hono.request('/v1/facilities')).status).toBe(429);
    for (let i = 0; i < 5; i++) expect((await app.hono.request('/healthz')).status).toBe(200);
  });

  it('keys the limit on X-Forwarded-For only behind a trusted proxy', async () => {
    const statusesFor = async (trustedProxies: string[]) => {
      const app = createApp({ db: h.db, logger: createSilentLogger(), rateLimit: { ratePerSecond: 0.01, burst: 1 }, trustedProxies });
      const server = await startApiServer({ app, port: 0, host: '127.0.0.1', graceMs: 50 });
      try {
        const get = async (client: string) =>
          (await fetch(`${server.url}/v1/facilities/p/availability`, { headers: { 'X-Forwarded-For': `203.0.113.9, ${client}` } })).status;
        return [await get('198.51.100.1'), await get('198.51.100.1'), await get('198.51.100.2')];
      } finally {
        await server.close();
      }
    };
    // Behind the trusted proxy (127.0.0.1) each client has its own bucket; the forged first hop is ignored.
    expect(await statusesFor(['127.0.0.1'])).toEqual([200, 429, 200]);
    // From an untrusted peer the header means nothing: one bucket for the peer.
    expect(await statusesFor([])).toEqual([200, 429, 429]);
  });

  it('refuses request bodies over 16 KiB with 413', async () => {
    const app = createApp({ db: h.db, logger: createSilentLogger() });
    const res = await app.hono.request('/v1/facilities', {
      method: 'POST',
      body: 'x'.repeat(17 * 1024),
      headers: { 'Content-Length': String(17 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('opens CORS for public reads only, and sends security headers', async () => {
    const app = createApp({ db: h.db, logger: createSilentLogger() });
    const origin = { Origin: 'https://example.org' };
    for (const path of ['/v1/facilities', '/v1/facilities/p/availability', '/openapi.json']) {
      const res = await app.hono.request(path, { headers: origin });
      expect(res.headers.get('Access-Control-Allow-Origin'), path).toBe('*');
      expect(res.headers.get('X-Content-Type-Options'), path).toBe('nosniff');
    }
    const preflight = await app.hono.request('/v1/facilities', {
      method: 'OPTIONS',
      headers: { ...origin, 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toBe('GET,HEAD,OPTIONS');
    for (const path of ['/healthz', '/v1/ops/sensors']) {
      expect((await app.hono.request(path, { headers: origin })).headers.get('Access-Control-Allow-Origin'), path).toBeNull();
    }
  });
});
