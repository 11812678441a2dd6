import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { accountFor, countStored, startLoad } from './load.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

const SENSORS = 200;
const sensorIds = Array.from({ length: SENSORS }, (_, i) => `term-${i + 1}-s`);

describe('ingest worker stopped with SIGTERM under load', () => {
  let h: Harness;
  let worker: WorkerProcess | null = null;
  const start = () =>
    startWorkerProcess({
      DATABASE_URL: h.databaseUrl,
      MQTT_URL: h.mqttUrl,
      MQTT_CLIENT_ID: 'sigterm-test-ingest',
      MQTT_PROTOCOL_VERSION: String(h.mqttProtocolVersion),
    });

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'term', spots: SENSORS }));
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await h?.close();
  });

  it('exits 0 within 10 s, and after a restart every published event is stored once', { timeout: 90_000 }, async () => {
    worker = await start();
    const load = await startLoad({
      url: h.mqttUrl,
      protocolVersion: h.mqttProtocolVersion,
      sensorIds,
      ratePerSec: 3000,
      maxEvents: 36_000,
      maxMs: 30_000,
      clientId: 'sigterm-test-pub',
    });
    await expect.poll(() => countStored(h.db), { timeout: 30_000, interval: 100 }).toBeGreaterThan(6000);

    const signalledAt = Date.now();
    const exitCode = await worker.kill('SIGTERM');
    const stopMs = Date.now() - signalledAt;
    expect(exitCode, worker.output().slice(-3000)).toBe(0);
    expect(stopMs).toBeLessThan(10_000);
    expect(worker.output()).toContain('"msg":"stopped"');
    const storedAtStop = await countStored(h.db);

    // Publishing goes on while the worker is away; its persistent session keeps the messages.
    await load.done;
    expect(storedAtStop).toBeLessThan(load.acked.size);
    worker = await start();
    await expect.poll(() => countStored(h.db), { timeout: 60_000, interval: 200 }).toBe(load.acked.size);

    const accounting = await accountFor(h.db, load);
    expect(accounting).toEqual({ published: 36_000, stored: 36_000, missing: [], unexpected: [] });
  });
});
