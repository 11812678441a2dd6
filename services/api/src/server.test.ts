import { createSilentLogger } from '@freiplatz/config';
import { buildRegistry, createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, startApiServer } from './index.js';

describe('startApiServer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'p1', spots: 2 }));
  });
  afterAll(async () => h?.close());

  it('serves the app over HTTP on loopback, with conditional GETs, and closes', async () => {
    const server = await startApiServer({ app: createApp({ db: h.db, logger: createSilentLogger() }), port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const first = await fetch(`${server.url}/v1/facilities/p1/availability`);
      expect(first.status).toBe(200);
      expect(await first.json()).toMatchObject({ id: 'p1', capacity: 2 });
      const etag = first.headers.get('ETag') ?? '';
      const again = await fetch(`${server.url}/v1/facilities/p1/availability`, { headers: { 'If-None-Match': etag } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      const missing = await fetch(`${server.url}/v1/facilities/nope`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('Content-Type')).toMatch(/^application\/json/);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('rejects when the port is taken', async () => {
    const app = createApp({ db: h.db, logger: createSilentLogger() });
    const first = await startApiServer({ app, port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      await expect(startApiServer({ app, port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
