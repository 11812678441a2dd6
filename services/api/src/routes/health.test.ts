import { createServer, type Socket } from 'node:net';
import { createSilentLogger } from '@freiplatz/config';
import { createDb } from '@freiplatz/db';
import { createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';

describe('health routes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  it('answers /healthz and /readyz when the database answers', async () => {
    const app = createApp({ db: h.db, logger: createSilentLogger() });
    const health = await app.hono.request('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await app.hono.request('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.headers.get('Cache-Control')).toBe('no-store');
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('answers /readyz with 503 NOT_READY when the database refuses, while /healthz stays up', async () => {
    const db = createDb({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    try {
      const app = createApp({ db, logger: createSilentLogger() });
      const res = await app.hono.request('/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: { code: 'NOT_READY', message: expect.any(String), requestId: expect.any(String) } });
      expect((await app.hono.request('/healthz')).status).toBe(200);
    } finally {
      await db.destroy();
    }
  });

  it('answers /readyz with 503 within the timeout when the database hangs', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const db = createDb({ connectionString: `postgres://nobody@127.0.0.1:${port}/none` });
    try {
      const app = createApp({ db, logger: createSilentLogger(), readyTimeoutMs: 200 });
      const res = await app.hono.request('/readyz');
      expect(res.status).toBe(503);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
      await db.destroy().catch(() => {});
    }
  });
});
