import { apiEnvSchema, ConfigError, createSilentLogger, parseEnv } from '@freiplatz/config';
import { buildRegistry, createTestDatabase, type TestDatabase } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from './create-api.js';

const logger = createSilentLogger();

describe('createApi', () => {
  let h: TestDatabase;
  beforeAll(async () => {
    h = await createTestDatabase();
    await h.importRegistry(buildRegistry({ id: 'root', spots: 2 }));
  });
  afterAll(() => h.close());

  it('refuses to start without a database', async () => {
    await expect(createApi(parseEnv(apiEnvSchema, {}), { logger })).rejects.toBeInstanceOf(ConfigError);
  });

  it('listens once the state is loaded, with the options of its environment, and closes', async () => {
    const env = parseEnv(apiEnvSchema, {
      DATABASE_URL: h.databaseUrl,
      PORT: '0',
      MAP_TILE_URL: 'off',
      API_RATE_LIMIT_RPS: '0.01',
      API_RATE_LIMIT_BURST: '2',
    });
    const api = await createApi(env, { logger });
    const server = await api.ready;
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${server.url}/v1/facilities/root/availability`)).status);
      expect(statuses).toEqual([200, 200, 429]);
      // The same app without a socket (hono's `app.request`), for tests.
      expect((await api.hono.request('/healthz')).status).toBe(200);
    } finally {
      await api.close();
    }
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
