import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { buildServiceBundle } from '../support/processes.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

const FLOOD = 6000;
const SIZE = 16 * 1024;

// One sensor's credentials used to send 6,000 × 16 KB of garbage (within the production broker's
// size limit): before the byte bounds, the worker held them whole, the commit thread ran out of
// memory on every attempt at the same batch, and no other sensor's event was stored again.
describe('one sensor floods the worker with 6,000 × 16 KB of garbage', () => {
  let h: Harness;
  let worker: WorkerProcess | null = null;
  const out = mkdtempSync(join(tmpdir(), 'freiplatz-flood-'));
  let bundle = '';

  beforeAll(async () => {
    bundle = buildServiceBundle('ingest', out);
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'flood', spots: 2 }));
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await h?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('stays within 300 MiB, stores every message as a 1 KiB dead letter, and another sensor’s event within 5 s of the flood', {
    timeout: 90_000,
  }, async () => {
    // The worker as its container image runs it (bundle, commit thread, heap cap, default bounds).
    worker = await startWorkerProcess(
      {
        DATABASE_URL: h.databaseUrl,
        MQTT_URL: h.mqttUrl,
        MQTT_CLIENT_ID: 'flood-test-ingest',
        MQTT_PROTOCOL_VERSION: String(h.mqttProtocolVersion),
        NODE_OPTIONS: '--max-old-space-size=96',
      },
      bundle,
    );
    const w = worker;
    const publisher = await mqtt.connectAsync(h.mqttUrl, { protocolVersion: h.mqttProtocolVersion, clientId: 'flood-test-pub' });
    let peakRssMiB = 0;
    let peakUnackedBytes = 0;
    const sampler = setInterval(() => {
      peakRssMiB = Math.max(peakRssMiB, w.rssMiB());
      void w.metric('freiplatz_ingest_unacked_bytes').then(
        (b) => {
          peakUnackedBytes = Math.max(peakUnackedBytes, b);
        },
        () => {},
      );
    }, 100);
    try {
      const window = new Set<Promise<unknown>>();
      for (let i = 0; i < FLOOD; i++) {
        const garbage = randomBytes(SIZE);
        const p = publisher.publishAsync('parking/v1/bays/flood-1-s', garbage, { qos: 1 }).finally(() => window.delete(p));
        window.add(p);
        if (window.size >= 500) await Promise.race(window);
      }
      await Promise.all(window);
      const floodEnded = performance.now();
      await publisher.publishAsync('parking/v1/bays/flood-2-s', JSON.stringify({ occupied: true, seq: 1 }), { qos: 1 });
      const stored = async () =>
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM occupancy_events WHERE sensor_id = 'flood-2-s'`.execute(h.db)).rows[0]?.n;
      await expect.poll(stored, { timeout: 10_000, interval: 50 }).toBe(1);
      const storedAfterMs = performance.now() - floodEnded;
      console.log(
        `[flood] other sensor's event stored ${Math.round(storedAfterMs)} ms after the flood; worker peak RSS ${peakRssMiB.toFixed(0)} MiB`,
      );
      expect(storedAfterMs).toBeLessThan(5000);

      const rejects = async () =>
        (
          await sql<{ n: number; size: number; longest: number }>`
            SELECT count(*)::int AS n, min(payload_size)::int AS size, max(octet_length(payload))::int AS longest
            FROM ingest_rejects WHERE topic = 'parking/v1/bays/flood-1-s'`.execute(h.db)
        ).rows[0];
      await expect.poll(async () => (await rejects())?.n, { timeout: 20_000, interval: 200 }).toBe(FLOOD);
      expect(await rejects()).toEqual({ n: FLOOD, size: SIZE, longest: 1024 });
      expect(await sql`SELECT 1 FROM ingest_rejects WHERE code <> 'PAYLOAD_TOO_LARGE'`.execute(h.db).then((r) => r.rows)).toEqual([]);
      await expect.poll(() => w.metric('freiplatz_ingest_unacked_messages'), { timeout: 10_000 }).toBe(0);
    } finally {
      clearInterval(sampler);
      await publisher.endAsync();
    }
    peakRssMiB = Math.max(peakRssMiB, w.peakRssMiB());
    // The window held at most 16 MiB (INGEST_MAX_UNACKED_BYTES) plus the one message that crossed it.
    expect(peakUnackedBytes).toBeGreaterThan(0);
    expect(peakUnackedBytes).toBeLessThanOrEqual(16 * 1024 * 1024 + SIZE);
    expect(peakRssMiB).toBeLessThanOrEqual(300);
    expect(w.output()).not.toMatch(/ERR_WORKER_OUT_OF_MEMORY|commit thread exited|heap out of memory/);
    expect(await w.metric('freiplatz_ingest_commit_failures_total')).toBe(0);
  });
});
