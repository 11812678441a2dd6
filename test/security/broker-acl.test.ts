import { readFileSync } from 'node:fs';
import { buildRegistry } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecurePipeline, type SecurePipeline } from './support/secure-pipeline.js';

// Mosquitto runs with infra/mosquitto/mosquitto.conf and the ACL and password file made by the
// provisioning script; the ingest worker connects as ingest-1@svc over TLS.
let p: SecurePipeline;
const [own, other] = ['north-1-s', 'north-2-s'];
const reading = (occupied: boolean) => JSON.stringify({ occupied, ts: new Date().toISOString() });

beforeAll(async () => {
  p = await createSecurePipeline(buildRegistry({ id: 'north', spots: 2 }));
  await p.harness.startIngest({
    mqttUrl: p.broker.url,
    protocolVersion: 5,
    username: 'ingest-1@svc',
    password: p.passwords.get('ingest-1@svc')!,
    transport: { ca: readFileSync(p.certs.caFile) },
  });
});
afterAll(async () => {
  await p?.close();
});

async function expectStored(sensorId: string, events: number) {
  await expect.poll(async () => (await p.countStored(sensorId)).events, { timeout: 10_000 }).toBe(events);
}

describe('broker ACL: happy path', () => {
  it('stores a reading a sensor publishes on its own topic over TLS', async () => {
    const sensor = await p.connect(own, p.passwords.get(own));
    await sensor.publishAsync(`parking/v1/bays/${own}`, reading(true), { qos: 1 });
    await expectStored(own, 1);
  });
});

describe('broker ACL: security', () => {
  it('refuses a sensor publishing to another sensor’s topic, and nothing of it reaches the database', async () => {
    const v5 = await p.connect(own, p.passwords.get(own));
    await expect(v5.publishAsync(`parking/v1/bays/${other}`, reading(true), { qos: 1 })).rejects.toThrow(/not authori[sz]ed/i);
    await expect(v5.publishAsync(`parking/v1/counters/${other}`, JSON.stringify({ vehicles: 3 }), { qos: 1 })).rejects.toThrow(
      /not authori[sz]ed/i,
    );
    // MQTT 3.1.1 has no way to say no: the broker acknowledges and drops the message.
    const v4 = await p.connect(own, p.passwords.get(own), { protocolVersion: 4 });
    await v4.publishAsync(`parking/v1/bays/${other}`, reading(true), { qos: 1 });
    // A later reading of the sensor on its own topic is stored: everything before it was processed.
    const before = (await p.countStored(own)).events;
    await v4.publishAsync(`parking/v1/bays/${own}`, reading(false), { qos: 1 });
    await expectStored(own, before + 1);
    expect(await p.countStored(other)).toEqual({ events: 0, states: 0, rejects: 0 });
  });

  it('lets a sensor read nothing, not even after subscribing to everything', async () => {
    const spy = await p.connect(other, p.passwords.get(other));
    const seen: string[] = [];
    spy.on('message', (topic) => seen.push(topic));
    await spy.subscribeAsync(['#', 'parking/v1/#', '$share/spies/parking/v1/bays/+'], { qos: 1 });
    const sensor = await p.connect(own, p.passwords.get(own));
    const before = (await p.countStored(own)).events;
    await sensor.publishAsync(`parking/v1/bays/${own}`, reading(true), { qos: 1 });
    await expectStored(own, before + 1);
    // The broker delivered the message to the ingest worker before the commit; a spy would have had it by now.
    await spy.publishAsync(`parking/v1/bays/${other}`, reading(false), { qos: 1 });
    await expectStored(other, 1);
    expect(seen).toEqual([]);
  });

  it('refuses an anonymous client', async () => {
    await expect(p.connect(undefined, undefined)).rejects.toThrow(/not authori[sz]ed/i);
  });

  it('refuses a wrong password and an unknown user', async () => {
    await expect(p.connect(own, 'not-the-password')).rejects.toThrow(/not authori[sz]ed/i);
    await expect(p.connect('north-9-s', p.passwords.get(own))).rejects.toThrow(/not authori[sz]ed/i);
  });

  it('refuses plain MQTT and a client that does not trust the broker’s certificate authority', async () => {
    const plain = p.broker.url.replace('mqtts://', 'mqtt://');
    const mqtt = await import('mqtt');
    await expect(
      mqtt.connectAsync(plain, { username: own, password: p.passwords.get(own)!, reconnectPeriod: 0, connectTimeout: 2000 }),
    ).rejects.toThrow();
    await expect(p.connect(own, p.passwords.get(own), { ca: [] as unknown as Buffer })).rejects.toThrow(/certificate/i);
  });

  it('does not let the ingest account publish readings', async () => {
    const ingest = await p.connect('ingest-2@svc', p.passwords.get('ingest-2@svc'));
    await expect(ingest.publishAsync(`parking/v1/bays/${own}`, reading(true), { qos: 1 })).rejects.toThrow(/not authori[sz]ed/i);
  });

  it('does not let a sensor take over the ingest worker’s session by using its client id', async () => {
    const worker = await p.connect('ingest-2@svc', p.passwords.get('ingest-2@svc'), { clean: false, clientId: 'ingest-2@svc' });
    let closed = false;
    worker.on('close', () => {
      closed = true;
    });
    const thief = await p.connect(own, p.passwords.get(own), { clientId: 'ingest-2@svc' });
    expect(thief.connected).toBe(true);
    // A round trip on the worker's connection after the thief's CONNACK: a takeover would have closed it before.
    await worker.subscribeAsync('parking/v1/bays/+', { qos: 1 });
    expect(closed).toBe(false);
  });

  it('refuses a sensor removed from the registry once provisioning ran again and the broker reloaded', async () => {
    await p.connect(other, p.passwords.get(other));
    const { revoked } = await p.reprovision(buildRegistry({ id: 'north', spots: 1 }));
    expect(revoked).toEqual([other]);
    await expect(p.connect(other, p.passwords.get(other))).rejects.toThrow(/not authori[sz]ed/i);
    await p.connect(own, p.passwords.get(own));
  });

  it('listens on its TLS port only', () => {
    const sockets = p.broker.log().match(/Opening ipv[46] listen socket on port \d+/g) ?? [];
    expect(sockets).toEqual([`Opening ipv4 listen socket on port ${new URL(p.broker.url).port}`]);
  });
});
