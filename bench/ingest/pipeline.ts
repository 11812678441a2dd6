import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { startWorkerProcess, type WorkerProcess } from '../../test/faults/worker-process.js';
import { buildServiceBundle } from '../../test/support/processes.js';
import type { BenchEnv } from './bench-env.js';
import { startPublishers } from './publishers.js';

const say = (line: string) => console.log(`  ${line}`);
export const SEQ_SPAN = 1_000_000;

export interface RateSample {
  /** Seconds since the phase started. */
  t: number;
  /** Events committed per second over the last second. */
  rate: number;
  rssMiB: number;
}

/** The worker's V8 heap cap, as its container image sets it (infra/docker/Dockerfile; override: WORKER_NODE_OPTIONS). */
export const WORKER_NODE_OPTIONS = process.env.WORKER_NODE_OPTIONS ?? '--max-old-space-size=96';

let bundle: string | null = null;

/**
 * The worker as the container image runs it: one JavaScript bundle built by
 * infra/docker/build-service.mjs, on plain Node (no TypeScript loader, which alone holds ~35 MiB
 * and a loader thread). `BENCH_WORKER=source` runs `src/main.ts` through tsx instead.
 */
export function workerEntry(): string {
  if (process.env.BENCH_WORKER === 'source') return 'services/ingest/src/main.ts';
  if (bundle === null) {
    bundle = buildServiceBundle('ingest', mkdtempSync(join(tmpdir(), 'freiplatz-ingest-bundle-')));
    console.log(`  worker: bundle of infra/docker/build-service.mjs (${bundle})`);
  }
  return bundle;
}

/** Starts the worker as its own process (so its memory is its own), with the default configuration. */
export function startBenchWorker(env: BenchEnv, extra: Record<string, string> = {}): Promise<WorkerProcess> {
  const tuning = Object.fromEntries(
    [
      'INGEST_BATCH_SIZE',
      'INGEST_FLUSH_MS',
      'INGEST_COMMIT_INTERVAL_MS',
      'INGEST_COMMIT_MIN_EVENTS',
      'INGEST_MAX_UNACKED',
      'INGEST_COMMIT_CONCURRENCY',
    ].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])),
  );
  return startWorkerProcess(
    {
      DATABASE_URL: env.pgUrl,
      MQTT_URL: env.mqttUrl,
      MQTT_CLIENT_ID: 'bench-ingest',
      MQTT_PROTOCOL_VERSION: '5',
      LOG_LEVEL: 'info',
      NODE_OPTIONS: WORKER_NODE_OPTIONS,
      ...tuning,
      ...extra,
    },
    workerEntry(),
  );
}

/** Events stored with `seq` in the phase's range (every phase publishes its own range). */
export async function countPhase(env: BenchEnv, seqBase: number): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM occupancy_events WHERE seq >= ${seqBase} AND seq < ${seqBase + SEQ_SPAN}`.execute(env.db);
  return r.rows[0]?.n ?? 0;
}

/** Waits until every acknowledged event of the phase is stored (or the bound passes); returns the lost count. */
export async function drainAndCount(env: BenchEnv, seqBase: number, acked: number, boundMs: number): Promise<number> {
  const deadline = Date.now() + boundMs;
  let stored = await countPhase(env, seqBase);
  while (stored < acked && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    stored = await countPhase(env, seqBase);
  }
  return acked - stored;
}

/** Samples the committed rate and RSS of the worker once a second while `during` runs. */
export async function sampleWorker(worker: WorkerProcess, started: number, during: Promise<unknown>, label: string) {
  const samples: RateSample[] = [];
  let last = await worker.metric('freiplatz_ingest_committed_total').catch(() => 0);
  let running = true;
  void during.finally(() => {
    running = false;
  });
  while (running) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await worker.metric('freiplatz_ingest_committed_total').catch(() => last);
    const s = { t: (Date.now() - started) / 1000, rate: now - last, rssMiB: worker.rssMiB() };
    samples.push(s);
    last = now;
    if (samples.length % 5 === 0) say(`${label}: t=${s.t.toFixed(0)} s  ${s.rate} events/s  worker RSS ${s.rssMiB.toFixed(0)} MiB`);
  }
  return samples;
}

/** (c) The full pipeline, publishers as fast as the worker keeps up (broker backlog bounded). */
export async function measurePipeline(
  env: BenchEnv,
  worker: WorkerProcess,
  o: { publishers: number; durationMs: number; seqBase: number },
) {
  const pubs = startPublishers(o.publishers, {
    url: env.mqttUrl,
    sensorIds: env.sensorIds,
    seqBase: o.seqBase,
    mode: 'max',
    ratePerSec: 0,
    maxEvents: 50_000_000,
    maxMs: o.durationMs,
    window: 1000,
  });
  let committed = 0;
  const credit = setInterval(() => {
    void worker.metric('freiplatz_ingest_committed_total').then(
      (n) => {
        committed = n;
        pubs.credit(committed + 40_000);
      },
      () => {},
    );
  }, 200);
  const started = Date.now();
  const samples = await sampleWorker(worker, started, pubs.done, 'pipeline');
  const published = await pubs.done;
  clearInterval(credit);
  const lost = await drainAndCount(env, o.seqBase, published.acked, 120_000);
  // Sustained: the steady part, from 5 s in to the end of publishing.
  const steady = samples.filter((s) => s.t > 5 && s.t <= o.durationMs / 1000);
  const sustained = steady.reduce((a, s) => a + s.rate, 0) / Math.max(1, steady.length);
  return { sustainedPerSec: sustained, published: published.acked, lost, samples, peakRssMiB: worker.peakRssMiB() };
}
