import { sql } from 'kysely';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { type ServiceProcess, startService } from '../support/processes.js';

const SENSORS = 100;
const PER_SENSOR = 100;
const TOTAL = SENSORS * PER_SENSOR;

const countEvents = async (h: Harness) =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM occupancy_events`.execute(h.db)).rows[0]?.n ?? 0;

describe('ingest worker killed with SIGKILL mid-burst', () => {
  let h: Harness;
  let worker: ServiceProcess | null = null;
  const startWorker = () =>
    startService('services/ingest/src/main.ts', {
      DATABASE_URL: h.databaseUrl,
      MQTT_URL: h.mqttUrl,
      MQTT_CLIENT_ID: 'sigkill-test-ingest',
      MQTT_PROTOCOL_VERSION: String(h.mqttProtocolVersion),
      INGEST_BATCH_SIZE: '500',
      INGEST_FLUSH_MS: '20',
      LOG_LEVEL: 'info',
    });

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'burst', spots: SENSORS }));
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await h?.close();
  });

  it('stores every published QoS 1 event exactly once after a restart', { timeout: 120_000 }, async () => {
    worker = startWorker();
    await worker.waitForOutput('ingest worker subscribed');

    const publisher = await mqtt.connectAsync(h.mqttUrl, { protocolVersion: h.mqttProtocolVersion, clientId: 'sigkill-test-pub' });
    const t0 = Date.now() - TOTAL * 1000;
    let published = 0;
    let killedAt = -1;
    const publishAll = async () => {
      const window = new Set<Promise<unknown>>();
      for (let seq = 1; seq <= PER_SENSOR; seq++) {
        for (let s = 1; s <= SENSORS; s++) {
          const payload = JSON.stringify({ occupied: (seq + s) % 3 === 0, seq, ts: t0 + (seq * SENSORS + s) * 10 });
          const p = publisher.publishAsync(`parking/v1/bays/burst-${s}-s`, payload, { qos: 1 }).then(() => {
            published += 1;
            window.delete(p);
          });
          window.add(p);
          if (window.size >= 200) await Promise.race(window);
        }
        // Spread the burst over a few seconds so the kill lands in the middle of it.
        await new Promise((r) => setTimeout(r, 40));
      }
      await Promise.all(window);
    };
    const publishing = publishAll();

    // Kill once the worker is visibly committing, while the burst is still going on.
    await expect.poll(() => countEvents(h), { timeout: 60_000, interval: 20 }).toBeGreaterThan(2000);
    await worker.kill('SIGKILL');
    killedAt = await countEvents(h);
    const publishedAtKill = published;
    await publishing;
    await publisher.endAsync();
    expect(killedAt).toBeLessThan(TOTAL);
    expect(publishedAtKill).toBeLessThan(TOTAL);

    worker = startWorker();
    await worker.waitForOutput('ingest worker subscribed');
    await expect.poll(() => countEvents(h), { timeout: 90_000, interval: 200 }).toBe(TOTAL);

    const perSensor = await sql<{ sensor_id: string; n: number; min: number; max: number }>`
      SELECT sensor_id, count(*)::int AS n, min(seq)::int AS min, max(seq)::int AS max FROM occupancy_events GROUP BY sensor_id`.execute(
      h.db,
    );
    expect(perSensor.rows).toHaveLength(SENSORS);
    for (const row of perSensor.rows) expect(row).toMatchObject({ n: PER_SENSOR, min: 1, max: PER_SENSOR });
    const state = await h.db.selectFrom('sensor_state').select(['sensor_id', 'seq']).execute();
    expect(state.every((r) => r.seq === PER_SENSOR)).toBe(true);
  });
});
