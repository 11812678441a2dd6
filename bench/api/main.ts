// `pnpm bench:api [--scale] [--quick]`: the public API against a bare Hono ceiling, on 127.0.0.1.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, migrate, startEmbeddedPostgres } from '@freiplatz/db';
import { findFreePort } from '@freiplatz/testing';
import { sql } from 'kysely';
import { startMosquitto } from '../../test/support/mosquitto.js';
import { buildServiceBundle, REPO_ROOT, type ServiceProcess, startService } from '../../test/support/processes.js';
import { WORKER_NODE_OPTIONS } from '../ingest/pipeline.js';
import { BENCH_PG_SETTINGS } from '../pg-settings.js';
import { prepareExportLoads } from './exports.js';
import { type LoadResult, median, runLoad } from './load.js';
import { renderChart } from './report.js';
import { CENTRE, seedCity } from './seed.js';

const scale = process.argv.includes('--scale');
const quick = process.argv.includes('--quick');
// BENCH_FACILITIES: a smaller city, only to try the bench out (its results are not comparable).
const tryOut = Number(process.env.BENCH_FACILITIES) || 0;
const shape = tryOut > 0 ? { facilities: tryOut, spots: 10 } : scale ? { facilities: 20_000, spots: 50 } : { facilities: 2_000, spots: 10 };
const seconds = quick ? 2 : 5;
const rounds = quick ? 1 : 3;
const INGEST_RATE = 2_000;
const log = (msg: string) => console.log(`[bench:api] ${msg}`);
const rssMiB = (pid: number, field: 'VmRSS' | 'VmHWM') => {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`));
  return m ? Math.round(Number(m[1]) / 1024) : null;
};

/**
 * The API and the ingest worker as their container images run them: JavaScript bundles of
 * infra/docker/build-service.mjs on plain Node. `BENCH_SERVICES=source` runs their TypeScript
 * through tsx instead.
 */
const serviceEntry = (service: 'api' | 'ingest', into: string): string => {
  if (process.env.BENCH_SERVICES === 'source') return `services/${service}/src/main.ts`;
  return buildServiceBundle(service, join(into, `${service}-bundle`));
};

const dir = mkdtempSync(join(tmpdir(), 'freiplatz-bench-api-'));
chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we run as root
const children: ServiceProcess[] = [];
const pg = await startEmbeddedPostgres({
  dataDir: join(dir, 'pg'),
  port: await findFreePort(),
  database: 'bench',
  settings: BENCH_PG_SETTINGS,
});
const mosquitto = await startMosquitto();
const db = createDb({ connectionString: pg.connectionString, max: 2 });
try {
  await migrate(pg.connectionString);
  log(`seeding ${shape.facilities} facilities × ${shape.spots} spots = ${shape.facilities * shape.spots} sensors …`);
  let t = performance.now();
  await seedCity(db, shape.facilities, shape.spots);
  const seedSeconds = Math.round((performance.now() - t) / 100) / 10;
  log(`seeded in ${seedSeconds} s`);

  const ceilingPort = await findFreePort();
  const ceiling = startService('bench/api/ceiling-server.ts', { PORT: String(ceilingPort) });
  children.push(ceiling);
  await ceiling.waitForOutput('ceiling listening');

  const apiPort = await findFreePort();
  const api = `http://127.0.0.1:${apiPort}`;
  const apiEntry = serviceEntry('api', dir);
  const ingestEntry = serviceEntry('ingest', dir);
  log(
    `API and ingest worker: ${process.env.BENCH_SERVICES === 'source' ? 'TypeScript sources through tsx' : 'bundles as in the container images'}`,
  );
  t = performance.now();
  const apiProcess = startService(apiEntry, {
    DATABASE_URL: pg.connectionString,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    MAP_TILE_URL: 'off',
    // The limiter still runs on every request, with room for one load generator.
    API_RATE_LIMIT_RPS: '1000000',
    API_RATE_LIMIT_BURST: '10000000',
  });
  children.push(apiProcess);
  const ids = Array.from({ length: 100 }, (_, i) => `f${String(1 + Math.floor((i * shape.facilities) / 100)).padStart(6, '0')}`);
  for (let ok = false; !ok; ) {
    if (performance.now() - t > 120_000) throw new Error(`API did not start:\n${apiProcess.output().slice(-2000)}`);
    ok = await fetch(`${api}/v1/facilities/${ids[0]}/availability`).then(
      (r) => r.ok,
      () => false,
    );
    if (!ok) await new Promise((r) => setTimeout(r, 50));
  }
  const startupMs = Math.round(performance.now() - t);
  log(`API up in ${startupMs} ms (process start → first availability answered from memory)`);

  const etags = await Promise.all(
    ids.map(async (id) => (await fetch(`${api}/v1/facilities/${id}/availability`)).headers.get('ETag') as string),
  );
  const nearPath = `/v1/facilities?near=${CENTRE.lat.toFixed(4)},${CENTRE.lon.toFixed(4)}&radius=3000&limit=50`;
  const nearBody = await (await fetch(`${api}${nearPath}`)).arrayBuffer();
  const nearBytes = nearBody.byteLength;
  const nearItems = (JSON.parse(new TextDecoder().decode(nearBody)) as { items: unknown[] }).items.length;
  if (nearItems !== 50 && tryOut === 0) throw new Error(`near search returned ${nearItems} items, not 50`);
  const exportLoads = await prepareExportLoads(api, ceilingPort);
  log(`open-data exports (gzip): DATEX II status ${exportLoads.bytes.datex2Status} B, NGSI-LD list ${exportLoads.bytes.ngsiEntities} B`);

  const scenarios = {
    ceiling: (s = seconds) => runLoad({ url: `http://127.0.0.1:${ceilingPort}/`, seconds: s }),
    availability: (s = seconds) =>
      runLoad({ url: api, seconds: s, requests: ids.map((id) => ({ path: `/v1/facilities/${id}/availability` })) }),
    availability304: (s = seconds) =>
      runLoad({
        url: api,
        seconds: s,
        requests: ids.map((id, i) => ({ path: `/v1/facilities/${id}/availability`, headers: { 'If-None-Match': etags[i] as string } })),
      }),
    near: (s = seconds) => runLoad({ url: api, seconds: s, requests: [{ path: nearPath }] }),
    // Not a target: the ceiling server answering a fixed body as large as near's, for context.
    sizedReference: (s = seconds) => runLoad({ url: `http://127.0.0.1:${ceilingPort}/sized?bytes=${nearBytes}`, seconds: s }),
    ...Object.fromEntries(Object.entries(exportLoads.scenarios).map(([name, run]) => [name, (s = seconds) => run(s)])),
  };
  const results: Record<string, LoadResult[]> = {
    ceiling: [],
    availability: [],
    availability304: [],
    near: [],
    sizedReference: [],
    availabilityUnderIngest: [],
    ...Object.fromEntries(Object.keys(exportLoads.scenarios).map((name) => [name, []])),
  };
  log('warming up …');
  for (const run of Object.values(scenarios)) await run(1);
  // The machine is shared and its speed drifts by tens of percent within a run: every scenario is
  // compared with the ceiling measured right before and right after it (the next round's first
  // run, or a closing one), and the ratio reported is the median of those per-round ratios.
  for (let round = 1; round <= rounds; round++) {
    for (const [name, run] of Object.entries(scenarios)) {
      const r = await run();
      results[name]?.push(r);
      log(
        `round ${round}/${rounds} ${name.padEnd(16)} ${String(r.rps).padStart(7)} req/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  ${JSON.stringify(r.statusCounts)}`,
      );
    }
  }
  results.ceiling?.push(await scenarios.ceiling());
  log(`closing ceiling ${String(results.ceiling?.at(-1)?.rps).padStart(7)} req/s`);

  log(`starting ingest and a publisher at ${INGEST_RATE} events/s …`);
  const ingest = startService(ingestEntry, {
    DATABASE_URL: pg.connectionString,
    MQTT_URL: mosquitto.url,
    MQTT_CLIENT_ID: 'bench-api-ingest',
    // The heap cap its image sets (infra/docker/Dockerfile).
    NODE_OPTIONS: WORKER_NODE_OPTIONS,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
  });
  children.push(ingest);
  // A worker recounts every facility once when it starts: a start-up cost, not the steady state measured here.
  await ingest.waitForOutput('facility state recounted at start', 600_000);
  const recount = ingest.output().match(/"ms":(\d+),"msg":"facility state recounted at start"/);
  log(`ingest worker up; its start-up recount of ${shape.facilities} facilities took ${recount ? recount[1] : '?'} ms`);
  const events = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM occupancy_events`.execute(db)).rows[0]?.n ?? 0;
  const publisher = startService('bench/api/publisher.ts', {
    MQTT_URL: mosquitto.url,
    RATE: String(INGEST_RATE),
    // An upper bound only: the publisher is paused for the ceiling runs and stopped at the end.
    SECONDS: String(rounds * (2 * seconds + 6) + 120),
    FACILITIES: String(shape.facilities),
    SPOTS: String(shape.spots),
  });
  children.push(publisher);
  for (const deadline = performance.now() + 60_000; (await events()) < INGEST_RATE; ) {
    if (performance.now() > deadline) throw new Error(`ingest carried nothing:\n${ingest.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // The ceiling beside each loaded run is measured with the publisher paused (SIGSTOP) and the
  // worker idle, so that it stays the bare ceiling; the publisher resumes at its rate (SIGCONT).
  const pausePublisher = async () => {
    publisher.child.kill('SIGSTOP');
    await sleep(1500);
  };
  const resumePublisher = async () => {
    publisher.child.kill('SIGCONT');
    await sleep(2000);
  };
  const ingestCeilings: LoadResult[] = [];
  let carriedEvents = 0;
  let carriedMs = 0;
  await pausePublisher();
  ingestCeilings.push(await scenarios.ceiling());
  for (let round = 1; round <= rounds; round++) {
    await resumePublisher();
    const before = { n: await events(), at: performance.now() };
    const r = await scenarios.availability();
    carriedEvents += (await events()) - before.n;
    carriedMs += performance.now() - before.at;
    results.availabilityUnderIngest?.push(r);
    await pausePublisher();
    const c = await scenarios.ceiling();
    ingestCeilings.push(c);
    log(
      `round ${round}/${rounds} under ingest     ${String(r.rps).padStart(7)} req/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms   (ceiling beside it ${c.rps})`,
    );
  }
  const carried = Math.round(carriedEvents / (carriedMs / 1000));
  log(`ingest carried ${carried} events/s during the loaded runs`);
  const apiRssMiB = rssMiB(apiProcess.child.pid as number, 'VmRSS');
  const apiPeakRssMiB = rssMiB(apiProcess.child.pid as number, 'VmHWM');
  publisher.child.kill('SIGCONT');
  await publisher.kill('SIGTERM');
  await ingest.kill('SIGTERM');

  const m = (name: string, f: (r: LoadResult) => number) => median((results[name] ?? []).map(f));
  const ceilingRps = m('ceiling', (r) => r.rps);
  /** Median over rounds of a run's req/s against the mean of the ceilings measured before and after it. */
  const ratioOf = (runs: readonly LoadResult[], ceilings: readonly LoadResult[]) =>
    Math.round(median(runs.map((r, i) => r.rps / (((ceilings[i]?.rps ?? ceilingRps) + (ceilings[i + 1]?.rps ?? ceilingRps)) / 2))) * 100) /
    100;
  const ceilings = results.ceiling ?? [];
  const figures = {
    facilities: shape.facilities,
    sensors: shape.facilities * shape.spots,
    rounds,
    secondsPerRound: seconds,
    connections: 50,
    ceilingRps,
    ceilingP99Ms: m('ceiling', (r) => r.p99Ms),
    availabilityRps: m('availability', (r) => r.rps),
    availabilityP50Ms: m('availability', (r) => r.p50Ms),
    availabilityP99Ms: m('availability', (r) => r.p99Ms),
    availability304Rps: m('availability304', (r) => r.rps),
    availability304P99Ms: m('availability304', (r) => r.p99Ms),
    nearRps: m('near', (r) => r.rps),
    nearP99Ms: m('near', (r) => r.p99Ms),
    nearBodyBytes: nearBytes,
    sizedReferenceRps: m('sizedReference', (r) => r.rps),
    availabilityUnderIngestRps: m('availabilityUnderIngest', (r) => r.rps),
    availabilityUnderIngestP99Ms: m('availabilityUnderIngest', (r) => r.p99Ms),
    ingestEventsPerSec: carried,
    ratios: {
      availability: ratioOf(results.availability ?? [], ceilings),
      availability304: ratioOf(results.availability304 ?? [], ceilings),
      near: ratioOf(results.near ?? [], ceilings),
      availabilityUnderIngest: ratioOf(results.availabilityUnderIngest ?? [], ingestCeilings),
      sizedReference: ratioOf(results.sizedReference ?? [], ceilings),
      nearToSizedReference:
        Math.round(median((results.near ?? []).map((r, i) => r.rps / (results.sizedReference?.[i]?.rps ?? Number.NaN))) * 100) / 100,
    },
    exports: exportLoads.figures(results, (runs) => ratioOf(runs, ceilings)),
    ratioMethod:
      'median over rounds of req/s ÷ mean of the ceiling runs just before and after (publisher paused for those beside the loaded runs)',
    ceilingBesideIngestRps: median(ingestCeilings.map((r) => r.rps)),
    apiStartupMs: startupMs,
    apiRssMiB,
    apiPeakRssMiB,
    seedSeconds,
    runs: { ...results, ceilingBesideIngest: ingestCeilings },
  };
  log(`ratios to the ceiling (${ceilingRps} req/s): ${JSON.stringify(figures.ratios)}; API RSS ${apiRssMiB} MiB (peak ${apiPeakRssMiB})`);

  const outDir = join(REPO_ROOT, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'api.json');
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // first run
  }
  const doc = scale
    ? { ...previous, scale: { ...figures, measuredAt: new Date().toISOString() } }
    : {
        ...figures,
        measuredAt: new Date().toISOString(),
        machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
        ...(previous.scale ? { scale: previous.scale } : {}),
      };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(join(outDir, 'api.svg'), renderChart(doc as unknown as Parameters<typeof renderChart>[0]));
  log(`wrote bench/results/api.json and bench/results/api.svg`);
} finally {
  for (const child of children.reverse()) await child.kill('SIGTERM').catch(() => {});
  await db.destroy();
  await mosquitto.dispose();
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
