import { createSilentLogger, type Logger } from '@freiplatz/config';
import { createDb } from '@freiplatz/db';
import { buildRegistry, createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';

const errorShape = (code: string) => ({ error: { code, message: expect.any(String), requestId: expect.any(String) } });

describe('facilities routes: errors and security', () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'p1', spots: 2 }));
    app = createApp({ db: h.db, logger: createSilentLogger() });
  });
  afterAll(async () => h?.close());

  it('answers an unknown facility with 404 NOT_FOUND whose requestId matches the X-Request-Id header', async () => {
    for (const path of ['/v1/facilities/nope', '/v1/facilities/nope/spots', '/v1/facilities/nope/availability']) {
      const res = await app.hono.request(path);
      expect(res.status, path).toBe(404);
      const body = (await res.json()) as { error: { requestId: string } };
      expect(body, path).toEqual(errorShape('NOT_FOUND'));
      expect(body.error.requestId).toBe(res.headers.get('X-Request-Id'));
    }
  });

  it('rejects a malformed facility id with 400 BAD_REQUEST', async () => {
    const long = 'a'.repeat(65);
    for (const path of ['/v1/facilities/P1', '/v1/facilities/-p1/spots', `/v1/facilities/${long}/availability`, '/v1/facilities/p%201']) {
      const res = await app.hono.request(path);
      expect(res.status, path).toBe(400);
      expect(await res.json(), path).toEqual(errorShape('BAD_REQUEST'));
    }
  });

  it('answers unknown paths with 404 and wrong methods with 405 and Allow, in the one shape', async () => {
    const missing = await app.hono.request('/v2/nothing');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual(errorShape('NOT_FOUND'));
    const post = await app.hono.request('/v1/facilities/p1', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('Allow')).toBe('GET, HEAD');
    expect(await post.json()).toEqual(errorShape('METHOD_NOT_ALLOWED'));
  });

  it('honours a sane incoming X-Request-Id and replaces anything else', async () => {
    const own = await app.hono.request('/v1/facilities/nope', { headers: { 'X-Request-Id': 'sign-42_a=b' } });
    expect(own.headers.get('X-Request-Id')).toBe('sign-42_a=b');
    expect(((await own.json()) as { error: { requestId: string } }).error.requestId).toBe('sign-42_a=b');
    for (const bad of ['<script>', 'a b', 'x'.repeat(129)]) {
      const res = await app.hono.request('/v1/facilities', { headers: { 'X-Request-Id': bad } });
      expect(res.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers 503 NOT_READY without internals when the database is unreachable, and logs why', async () => {
    const logged: { obj: unknown; msg: unknown }[] = [];
    const logger = createSilentLogger();
    logger.warn = ((obj: unknown, msg?: unknown) => logged.push({ obj, msg })) as Logger['warn'];
    logger.child = (() => logger) as unknown as Logger['child'];
    const broken = createDb({ connectionString: 'postgres://nobody:secret@127.0.0.1:1/none' });
    try {
      const res = await createApp({ db: broken, logger }).hono.request('/v1/facilities/p1');
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        error: { code: 'NOT_READY', message: 'facility state is not available right now', requestId: expect.any(String) },
      });
      expect(text).not.toMatch(/ECONNREFUSED|select|facilities|at |secret/i);
      expect(logged).toEqual([{ obj: expect.objectContaining({ err: expect.any(Error) }), msg: 'reading facility state failed' }]);
    } finally {
      await broken.destroy();
    }
  });

  it('is CORS-open for reads and sends security headers, on errors too', async () => {
    for (const path of ['/v1/facilities', '/v1/facilities/nope']) {
      const res = await app.hono.request(path, { headers: { Origin: 'https://example.org' } });
      expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
      expect(res.headers.get('Access-Control-Expose-Headers')).toContain('ETag');
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(res.headers.get('Cross-Origin-Resource-Policy')).toBe('cross-origin');
    }
    const preflight = await app.hono.request('/v1/facilities/p1/availability', {
      method: 'OPTIONS',
      headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toBe('GET,HEAD,OPTIONS');
  });
});
