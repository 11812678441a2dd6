import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMIT_CONCURRENCY, DEFAULT_MAP, DEFAULT_RATE_LIMIT } from './defaults.js';
import { apiEnvSchema, ingestEnvSchema, launcherEnvSchema, parseEnv } from './env.js';

describe('launcherEnvSchema (pnpm start)', () => {
  it('reads every key of the ingest and API services, with their defaults', () => {
    const launcher = parseEnv(launcherEnvSchema, {});
    expect(launcher).toMatchObject(parseEnv(ingestEnvSchema, {}));
    expect(launcher).toMatchObject(parseEnv(apiEnvSchema, {}));
    expect(launcher).toMatchObject({
      INGEST_COMMIT_CONCURRENCY: DEFAULT_COMMIT_CONCURRENCY,
      API_RATE_LIMIT_RPS: DEFAULT_RATE_LIMIT.ratePerSecond,
      MAP_TILE_URL: DEFAULT_MAP.tileUrl,
      MQTT_PORT: 1883,
    });
  });

  it('validates them as the services do', () => {
    expect(() => parseEnv(launcherEnvSchema, { INGEST_BATCH_SIZE: '0' })).toThrow(/INGEST_BATCH_SIZE/);
    expect(() => parseEnv(launcherEnvSchema, { OPS_SESSION_SECRET: 'short' })).toThrow(/OPS_SESSION_SECRET/);
    expect(parseEnv(launcherEnvSchema, { INGEST_BATCH_SIZE: '7', API_TRUSTED_PROXIES: '10.0.0.1' })).toMatchObject({
      INGEST_BATCH_SIZE: 7,
      API_TRUSTED_PROXIES: ['10.0.0.1'],
    });
  });
});
