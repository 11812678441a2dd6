import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { type MosquittoHandle, startMosquitto } from '../support/mosquitto.js';
import { accountFor, countStored, startLoad } from './load.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

const SENSORS = 300;
const TOTAL = 45_000;
const sensorIds = Array.from({ length: SENSORS }, (_, i) => `share-${i + 1}-s`);

describe('two workers in one shared-subscription group, one killed halfway', () => {
  let h: Harness;
  let broker: MosquittoHandle;
  const workers: WorkerProcess[] = [];
  const start = async (name: string) => {
    const w = await startWorkerProcess({
      DATABASE_URL: h.databaseUrl,
      MQTT_URL: broker.url,
      MQTT_CLIENT_ID: name,
      MQTT_PROTOCOL_VERSION: '5',
      MQTT_SHARE_GROUP: 'ingest',
    });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'share', spots: SENSORS }));
    broker = await startMosquitto();
  });
  afterAll(async () => {
    for (const w of workers) await w.kill('SIGKILL');
    await broker?.dispose();
    await h?.close();
  });

  it('splits the load, and the killed worker’s share is stored once it is back', { timeout: 120_000 }, async () => {
    const first = await start('share-worker-1');
    const second = await start('share-worker-2');
    const load = await startLoad({
      url: broker.url,
      protocolVersion: 5,
      sensorIds,
      ratePerSec: 3000,
      maxEvents: TOTAL,
      maxMs: 40_000,
      clientId: 'share-pub',
    });
    await expect.poll(() => countStored(h.db), { timeout: 30_000, interval: 100 }).toBeGreaterThan(TOTAL / 3);
    // Both members of the group took part.
    expect(await first.metric('freiplatz_ingest_committed_total')).toBeGreaterThan(0);
    expect(await second.metric('freiplatz_ingest_committed_total')).toBeGreaterThan(0);

    await first.kill('SIGKILL');
    const secondBefore = await second.metric('freiplatz_ingest_received_total');
    await expect.poll(() => second.metric('freiplatz_ingest_received_total'), { timeout: 20_000 }).toBeGreaterThan(secondBefore + 3000);

    // Mosquitto keeps the killed member's in-flight messages (and its share of what arrives
    // meanwhile) in its persistent session: a supervisor restarts it under the same client id.
    await start('share-worker-1');
    await load.done;
    expect(load.acked.size).toBe(TOTAL);
    await expect.poll(() => countStored(h.db), { timeout: 60_000, interval: 250 }).toBe(TOTAL);
    expect(await accountFor(h.db, load)).toEqual({ published: TOTAL, stored: TOTAL, missing: [], unexpected: [] });
  });
});
