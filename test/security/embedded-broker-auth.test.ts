import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBrokerHandle, startEmbeddedBroker } from '../../services/launcher/src/embedded-broker.js';

// `pnpm start`'s broker with MQTT_USERNAME/MQTT_PASSWORD set.
let broker: EmbeddedBrokerHandle;
const credentials = { username: 'local', password: 'a-long-local-secret' };
const connect = (options: { username?: string; password?: string }) =>
  mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000, ...options });

beforeAll(async () => {
  broker = await startEmbeddedBroker({ port: 0, credentials });
});
afterAll(async () => {
  await broker?.stop();
});

describe('embedded broker with credentials', () => {
  it('listens on loopback only', () => {
    expect(new URL(broker.url).hostname).toBe('127.0.0.1');
  });

  it('accepts the configured credentials', async () => {
    const client = await connect(credentials);
    await client.publishAsync('parking/v1/bays/x', '{"occupied":true}', { qos: 1 });
    await client.endAsync();
  });

  it('refuses an anonymous client and a wrong password', async () => {
    await expect(connect({})).rejects.toThrow(/bad username or password|not authori[sz]ed/i);
    await expect(connect({ username: 'local', password: 'guess' })).rejects.toThrow(/bad username or password|not authori[sz]ed/i);
  });
});
