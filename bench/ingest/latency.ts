import { sql } from 'kysely';
import mqtt from 'mqtt';
import pg from 'pg';
import type { WorkerProcess } from '../../test/faults/worker-process.js';
import type { BenchEnv } from './bench-env.js';
import { drainAndCount, SEQ_SPAN, sampleWorker } from './pipeline.js';
import { startPublishers } from './publishers.js';

const say = (line: string) => console.log(`  ${line}`);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;

/**
 * (d) Publish→visible at a fixed background rate: probe sensors (one per one-spot facility) flip,
 * and the time from publish to the facility_state NOTIFY (sent on commit) is recorded.
 */
export async function measureLatency(
  env: BenchEnv,
  worker: WorkerProcess,
  o: { publishers: number; ratePerSec: number; durationMs: number; seqBase: number },
) {
  const listener = new pg.Client({ connectionString: env.pgUrl });
  await listener.connect();
  const waiting = new Map<string, () => void>();
  listener.on('notification', (n) => {
    for (const [facilityId] of JSON.parse(n.payload ?? '[]') as Array<[string, number]>) {
      waiting.get(facilityId)?.();
    }
  });
  await listener.query('LISTEN facility_state');
  const probe = await mqtt.connectAsync(env.mqttUrl, { protocolVersion: 5 });

  const pubs = startPublishers(o.publishers, {
    url: env.mqttUrl,
    sensorIds: env.sensorIds,
    seqBase: o.seqBase,
    mode: 'rate',
    ratePerSec: o.ratePerSec,
    maxEvents: Math.ceil((o.ratePerSec * o.durationMs) / 1000),
    maxMs: o.durationMs,
    window: 5000,
  });
  const started = Date.now();
  const latencies: number[] = [];
  const known = await sql<{ sensor_id: string; occupied: boolean | null }>`
    SELECT sensor_id, occupied FROM sensor_state WHERE sensor_id = ANY(${env.probeFacilities.map((f) => `${f}-1-s`)}::text[])`.execute(
    env.db,
  );
  const runProbe = async (facilityId: string, k: number) => {
    // Probe seqs lie outside every phase's range, so they never count as load; each probe flips
    // the spot, so the facility's free count changes and a NOTIFY follows the commit.
    let seq = 9 * SEQ_SPAN + k * 100_000 + Math.floor(o.seqBase / SEQ_SPAN) * 10_000;
    let occupied = known.rows.find((r) => r.sensor_id === `${facilityId}-1-s`)?.occupied ?? false;
    while (Date.now() - started < o.durationMs) {
      seq += 1;
      occupied = !occupied;
      const visible = new Promise<void>((resolve) => waiting.set(facilityId, resolve));
      const t0 = performance.now();
      await probe.publishAsync(`parking/v1/bays/${facilityId}-1-s`, JSON.stringify({ occupied, seq, ts: Date.now() }), { qos: 1 });
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000));
      if ((await Promise.race([visible, timeout])) === 'timeout') throw new Error(`probe ${facilityId} not visible within 10 s`);
      // The first seconds warm up (JIT, connections); they are not the steady state.
      if (Date.now() - started > 2000) latencies.push(performance.now() - t0);
      waiting.delete(facilityId);
      await new Promise((r) => setTimeout(r, 20 + ((k * 7) % 30)));
    }
  };
  const probes = Promise.all(env.probeFacilities.map((id, k) => runProbe(id, k)));
  const samples = await sampleWorker(worker, started, Promise.all([pubs.done, probes]), 'latency');
  const published = await pubs.done;
  await probes;
  await probe.endAsync();
  await listener.end();
  const lost = await drainAndCount(env, o.seqBase, published.acked, 60_000);
  const sorted = latencies.sort((a, b) => a - b);
  say(`latency: ${sorted.length} probes, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`);
  const steady = samples.filter((s) => s.t > 2);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    probes: sorted.length,
    achievedPerSec: steady.reduce((a, s) => a + s.rate, 0) / Math.max(1, steady.length),
    published: published.acked,
    lost,
  };
}
