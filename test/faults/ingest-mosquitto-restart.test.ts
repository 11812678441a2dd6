import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { type MosquittoHandle, startMosquitto } from '../support/mosquitto.js';
import { accountFor, countStored, startLoad } from './load.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

const SENSORS = 200;
const TOTAL = 45_000;
const sensorIds = Array.from({ length: SENSORS }, (_, i) => `mqdown-${i + 1}-s`);

// Mosquitto is what CI runs; this test needs one it may stop, with persistence on.
describe('Mosquitto restarted under load, persistence on', () => {
  let h: Harness;
  let broker: MosquittoHandle;
  let worker: WorkerProcess | null = null;

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'mqdown', spots: SENSORS }));
    broker = await startMosquitto({ persistence: true });
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await broker?.dispose();
    await h?.close();
  });

  it('reconnects to the persistent session and stores every acknowledged event once', { timeout: 120_000 }, async () => {
    worker = await startWorkerProcess({
      DATABASE_URL: h.databaseUrl,
      MQTT_URL: broker.url,
      MQTT_CLIENT_ID: 'mosquitto-restart-ingest',
      MQTT_PROTOCOL_VERSION: '5',
    });
    const w = worker;
    const load = await startLoad({
      url: broker.url,
      protocolVersion: 5,
      sensorIds,
      ratePerSec: 3000,
      maxEvents: TOTAL,
      maxMs: 40_000,
      clientId: 'mosquitto-restart-pub',
    });
    await expect.poll(() => countStored(h.db), { timeout: 30_000, interval: 100 }).toBeGreaterThan(9000);

    await broker.stop();
    // Down until the worker has tried to reconnect and been refused. The batch in hand may still
    // commit meanwhile; its PUBACKs go with the connection and the broker redelivers those messages.
    await w.waitForOutput('ECONNREFUSED', 20_000);
    await broker.restart();
    await w.waitForOutput('"sessionPresent":true', 20_000);

    await load.done;
    expect(load.acked.size).toBe(TOTAL);
    await expect.poll(() => countStored(h.db), { timeout: 60_000, interval: 250 }).toBe(TOTAL);
    expect(await accountFor(h.db, load)).toEqual({ published: TOTAL, stored: TOTAL, missing: [], unexpected: [] });
  });
});
