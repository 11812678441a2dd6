import { readFileSync } from 'node:fs';
import { buildRegistry } from '@freiplatz/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServiceProcess, startService } from '../support/processes.js';
import { createSecurePipeline, type SecurePipeline } from './support/secure-pipeline.js';

// The ingest entry point (services/ingest/src/main.ts) against Mosquitto with infra/mosquitto's
// configuration: credentials and TLS come from the environment, exactly as in production.
let p: SecurePipeline | undefined;
let ingest: ServiceProcess | undefined;
afterEach(async () => {
  await ingest?.kill('SIGTERM');
  await p?.close();
  ingest = undefined;
  p = undefined;
});

function startIngest(pipeline: SecurePipeline, extraEnv: Record<string, string> = {}) {
  return startService('services/ingest/src/main.ts', {
    DATABASE_URL: pipeline.harness.databaseUrl,
    MQTT_URL: pipeline.broker.url,
    MQTT_USERNAME: 'ingest-1@svc',
    MQTT_PASSWORD: pipeline.passwords.get('ingest-1@svc')!,
    MQTT_CA_FILE: pipeline.certs.caFile,
    LOG_FORMAT: 'json',
    ...extraEnv,
  });
}

async function publishAndExpectStored(pipeline: SecurePipeline, sensorId: string) {
  const sensor = await pipeline.connect(sensorId, pipeline.passwords.get(sensorId));
  await sensor.publishAsync(`parking/v1/bays/${sensorId}`, JSON.stringify({ occupied: true, ts: Date.now() }), { qos: 1 });
  await expect.poll(async () => (await pipeline.countStored(sensorId)).events, { timeout: 15_000 }).toBe(1);
}

describe('ingest over TLS: happy path', () => {
  it('connects with the CA file, username and password from its environment and stores readings', async () => {
    p = await createSecurePipeline(buildRegistry({ id: 'tls', spots: 1 }));
    ingest = startIngest(p);
    await ingest.waitForOutput('ingest worker subscribed');
    await publishAndExpectStored(p, 'tls-1-s');
  });

  it('presents its client certificate where the broker requires mutual TLS', async () => {
    p = await createSecurePipeline(buildRegistry({ id: 'mtls', spots: 1 }), {
      brokerOverrides: { 'require_certificate false': 'require_certificate true' },
    });
    ingest = startIngest(p, { MQTT_CERT_FILE: p.certs.clientCertFile, MQTT_KEY_FILE: p.certs.clientKeyFile });
    await ingest.waitForOutput('ingest worker subscribed');
    // The sensor in this test presents the same test client certificate; without one it is refused.
    const cert = { cert: readFileSync(p.certs.clientCertFile), key: readFileSync(p.certs.clientKeyFile) };
    const sensor = await p.connect('mtls-1-s', p.passwords.get('mtls-1-s'), cert);
    await sensor.publishAsync('parking/v1/bays/mtls-1-s', JSON.stringify({ occupied: false }), { qos: 1 });
    await expect.poll(async () => (await p!.countStored('mtls-1-s')).events, { timeout: 15_000 }).toBe(1);
    await expect(p.connect('mtls-1-s', p.passwords.get('mtls-1-s'))).rejects.toThrow();
  });
});

describe('ingest over TLS: errors', () => {
  it('does not connect to a broker whose certificate its CA did not sign', async () => {
    p = await createSecurePipeline(buildRegistry({ id: 'noca', spots: 1 }));
    ingest = startIngest(p, { MQTT_CA_FILE: '/etc/ssl/certs/ca-certificates.crt' });
    await ingest.waitForOutput('certificate');
    expect(ingest.output()).not.toContain('ingest worker subscribed');
  });

  it('refuses to start with a client certificate but no key', async () => {
    p = await createSecurePipeline(buildRegistry({ id: 'nokey', spots: 1 }));
    ingest = startIngest(p, { MQTT_CERT_FILE: p.certs.clientCertFile });
    const { child } = ingest;
    expect(child.exitCode ?? (await new Promise((resolve) => child.once('exit', resolve)))).toBe(2);
    expect(ingest.output()).toContain('MQTT_CERT_FILE and MQTT_KEY_FILE must be set together');
  });
});
