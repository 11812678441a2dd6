import { ConfigError, createSilentLogger, ingestEnvSchema, parseEnv } from '@freiplatz/config';
import { describe, expect, it } from 'vitest';
import { startIngest } from './start-ingest.js';

const deps = { logger: createSilentLogger(), processEnv: {} };
const start = (env: Record<string, string>) => startIngest(parseEnv(ingestEnvSchema, env), deps);
const urls = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', MQTT_URL: 'mqtt://127.0.0.1:1' };

// Each refusal comes before any connection (the URLs above lead nowhere): main.ts exits 2 with the message.
describe('startIngest refuses a configuration that cannot work', () => {
  it('without a database or a broker', async () => {
    await expect(start({ MQTT_URL: urls.MQTT_URL })).rejects.toThrow(
      new ConfigError('DATABASE_URL and MQTT_URL must be set (use `pnpm start` for embedded defaults)'),
    );
    await expect(start({ DATABASE_URL: urls.DATABASE_URL })).rejects.toBeInstanceOf(ConfigError);
  });

  it('with slots but no share group (every slot would receive every message)', async () => {
    await expect(start({ ...urls, INGEST_SLOTS: 'a,b' })).rejects.toThrow(/INGEST_SLOTS needs MQTT_SHARE_GROUP/);
  });

  it('with a client certificate but no key, or a file it cannot read', async () => {
    await expect(start({ ...urls, MQTT_CERT_FILE: '/nonexistent/cert.pem' })).rejects.toThrow(
      new ConfigError('MQTT_CERT_FILE and MQTT_KEY_FILE must be set together'),
    );
    await expect(start({ ...urls, MQTT_CA_FILE: '/nonexistent/ca.pem' })).rejects.toThrow(
      /^MQTT_CA_FILE: cannot read \/nonexistent\/ca\.pem/,
    );
  });
});
