import type { BenchEnv } from './bench-env.js';
import { drainAndCount, sampleWorker, startBenchWorker } from './pipeline.js';
import { startPublishers } from './publishers.js';

const say = (line: string) => console.log(`  ${line}`);

/** Worker memory through a database outage at a fixed rate: before, during, and the catch-up after. */
export async function measureOutage(env: BenchEnv, o: { publishers: number; ratePerSec: number; outageMs: number; seqBase: number }) {
  const worker = await startBenchWorker(env);
  const beforeMs = 5000;
  const afterMs = 5000;
  const total = o.ratePerSec * ((beforeMs + o.outageMs + afterMs) / 1000);
  const pubs = startPublishers(o.publishers, {
    url: env.mqttUrl,
    sensorIds: env.sensorIds,
    seqBase: o.seqBase,
    mode: 'rate',
    ratePerSec: o.ratePerSec,
    maxEvents: total,
    maxMs: beforeMs + o.outageMs + afterMs + 10_000,
    window: 5000,
  });
  const started = Date.now();
  const script = (async () => {
    await new Promise((r) => setTimeout(r, beforeMs));
    say('outage: stopping PostgreSQL');
    await env.stopPostgres();
    const t = Date.now();
    await new Promise((r) => setTimeout(r, o.outageMs));
    say(`outage: starting PostgreSQL again after ${((Date.now() - t) / 1000).toFixed(0)} s`);
    await env.startPostgres();
    const published = await pubs.done;
    return { published, lost: await drainAndCount(env, o.seqBase, published.acked, 180_000) };
  })();
  try {
    const samples = await sampleWorker(worker, started, script, 'outage');
    const { published, lost } = await script;
    const peakRssMiB = worker.peakRssMiB();
    const exit = await worker.kill('SIGTERM');
    return {
      peakRssMiB,
      published: published.acked,
      lost,
      samples,
      catchUpSeconds: (samples.at(-1)?.t ?? 0) - (beforeMs + o.outageMs) / 1000,
      exit,
    };
  } finally {
    await worker.kill('SIGKILL');
  }
}
