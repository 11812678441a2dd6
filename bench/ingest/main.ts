import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startBenchEnv } from './bench-env.js';
import { measureBrokerCeiling, measureDbCeiling } from './ceilings.js';
import { measureLatency } from './latency.js';
import { measureOutage } from './outage.js';
import { measurePipeline, SEQ_SPAN, startBenchWorker } from './pipeline.js';
import { formatTable, type IngestBenchResult, writeResults } from './report.js';

// `pnpm bench:ingest [--quick] [--publishers N]`: everything on 127.0.0.1, every phase bounded in time.
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const publishers = Number(args[args.indexOf('--publishers') + 1]) || 2;
const plan = quick
  ? { ceilingMs: 6000, copyRows: 200_000, pipelineMs: 12_000, latencyMs: 8000, outageMs: 10_000 }
  : { ceilingMs: 20_000, copyRows: 1_000_000, pipelineMs: 60_000, latencyMs: 30_000, outageMs: 60_000 };
const targets = { sustained: 20_000, p99: 100, rss: 200, outageRss: 300 };
const phase = (name: string) => console.log(`\n${name}`);

console.log(`ingest benchmark${quick ? ' (--quick: short phases, for development only)' : ''}; ${publishers} publisher processes`);
const env = await startBenchEnv({ facilities: 200, spotsPerFacility: 100, probes: 10 });
let worker: Awaited<ReturnType<typeof startBenchWorker>> | null = null;
try {
  phase('(a) broker ceiling');
  const a = await measureBrokerCeiling(env, { publishers, durationMs: plan.ceilingMs, seqBase: 1 * SEQ_SPAN });
  phase('(b) database ceiling (COPY)');
  const b = await measureDbCeiling(env, { rows: plan.copyRows });
  console.log(`  ${Math.round(b.rowsPerSec)} rows/s`);

  phase('(c) full pipeline at maximum sustained rate');
  worker = await startBenchWorker(env);
  const c = await measurePipeline(env, worker, { publishers, durationMs: plan.pipelineMs, seqBase: 2 * SEQ_SPAN });
  phase('(d) publish→visible at 5,000 events/s');
  const d = await measureLatency(env, worker, { publishers, ratePerSec: 5000, durationMs: plan.latencyMs, seqBase: 3 * SEQ_SPAN });
  await worker.kill('SIGTERM');

  phase(`database outage of ${plan.outageMs / 1000} s at 2,000 events/s`);
  const o = await measureOutage(env, { publishers, ratePerSec: 2000, outageMs: plan.outageMs, seqBase: 4 * SEQ_SPAN });

  const result: IngestBenchResult = {
    quick,
    machine: { cpus: cpus().length, node: process.version },
    sustainedEventsPerSec: Math.round(c.sustainedPerSec),
    brokerCeilingPerSec: Math.round(a.perSec),
    dbCeilingRowsPerSec: Math.round(b.rowsPerSec),
    p50VisibleMs: Number(d.p50.toFixed(1)),
    p99VisibleMs: Number(d.p99.toFixed(1)),
    workerPeakRssMiB: Math.round(c.peakRssMiB),
    outagePeakRssMiB: Math.round(o.peakRssMiB),
    lost: c.lost + d.lost + o.lost,
    ratios: { pipelineToBroker: c.sustainedPerSec / a.perSec, pipelineToDb: c.sustainedPerSec / b.rowsPerSec },
    details: {
      plan,
      publishers,
      pipeline: { published: c.published, lost: c.lost },
      latency: { probes: d.probes, backgroundPerSec: Math.round(d.achievedPerSec), published: d.published, lost: d.lost },
      outage: { published: o.published, lost: o.lost, catchUpSeconds: Math.round(o.catchUpSeconds), workerExitCode: o.exit },
    },
    series: { pipeline: c.samples, outage: o.samples },
  };
  const dir = fileURLToPath(new URL('../results', import.meta.url));
  writeResults(dir, result);
  console.log(`\n${formatTable(result, targets)}\n\nwritten: bench/results/ingest.json, bench/results/ingest.svg`);
} finally {
  await worker?.kill('SIGKILL');
  await env.close();
}
process.exit(0);
