import { createSilentLogger } from '@freiplatz/config';
import { createDb } from '@freiplatz/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../services/api/src/index.js';
import { LEAK_PATTERNS } from '../fuzz/http-fuzz.js';
import { buildRegistry, createHarness, type Harness } from '../harness.js';

let harness: Harness;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  harness = await createHarness();
  await harness.importRegistry(buildRegistry({ id: 'hard', spots: 1 }));
  app = createApp({ db: harness.db, logger: createSilentLogger() });
});
afterAll(async () => {
  await app.close();
  await harness?.close();
});

const expectNoLeak = (text: string) => {
  for (const pattern of LEAK_PATTERNS) expect(text).not.toMatch(pattern);
};

describe('API hardening: errors', () => {
  it('answers a database failure with a generic error, without stack, SQL or driver message', async () => {
    const url = new URL(harness.databaseUrl);
    url.pathname = '/no_such_database_here';
    const brokenDb = createDb({ connectionString: url.toString(), max: 1 });
    const broken = createApp({ db: brokenDb, logger: createSilentLogger() });
    try {
      for (const path of ['/v1/facilities/hard/spots', '/v1/facilities/hard/history', '/readyz']) {
        const res = await broken.hono.request(path);
        expect(res.status, path).toBeGreaterThanOrEqual(500);
        const text = await res.text();
        expect(JSON.parse(text)).toMatchObject({
          error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) },
        });
        expectNoLeak(text);
        expect(text).not.toContain('no_such_database_here');
      }
    } finally {
      await broken.close();
      await brokenDb.destroy();
    }
  });
});

describe('API hardening: headers and CORS', () => {
  it('sends strict security headers on answers and errors alike', async () => {
    for (const path of ['/v1/facilities', '/v1/facilities/nope', '/healthz']) {
      const res = await app.hono.request(path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toMatch(/^(DENY|SAMEORIGIN)$/);
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security'), path).toMatch(/max-age=\d{7,}/);
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
  });

  it('opens CORS on public reads only', async () => {
    const preflight = (path: string) =>
      app.hono.request(path, { method: 'OPTIONS', headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET' } });
    expect((await preflight('/v1/facilities')).headers.get('access-control-allow-origin')).toBe('*');
    expect(
      (await app.hono.request('/v1/facilities/hard', { headers: { Origin: 'https://example.org' } })).headers.get(
        'access-control-allow-origin',
      ),
    ).toBe('*');
    for (const path of ['/v1/ops/sensors', '/healthz', '/metrics']) {
      expect((await preflight(path)).headers.get('access-control-allow-origin'), path).toBeNull();
      expect(
        (await app.hono.request(path, { headers: { Origin: 'https://example.org' } })).headers.get('access-control-allow-origin'),
        path,
      ).toBeNull();
    }
  });
});

describe('API hardening: request bodies', () => {
  it('refuses a request body over the limit before it is read, in the one error shape', async () => {
    const big = 'x'.repeat(7 * 1024 * 1024);
    for (const path of ['/v1/facilities', '/v1/ops/sensors', '/healthz']) {
      const res = await app.hono.request(path, { method: 'POST', body: big, headers: { 'Content-Type': 'application/json' } });
      expect(res.status, path).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: expect.any(String) } });
    }
  });
});
