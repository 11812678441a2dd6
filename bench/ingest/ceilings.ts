import { fork } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BenchEnv } from './bench-env.js';
import { startPublishers } from './publishers.js';

const say = (line: string) => console.log(`  ${line}`);

/** (a) What the broker delivers to a subscriber that only counts: same payloads, QoS 1, same publishers. */
export async function measureBrokerCeiling(env: BenchEnv, o: { publishers: number; durationMs: number; seqBase: number }) {
  const child = fork(fileURLToPath(new URL('./counter.ts', import.meta.url)), [env.mqttUrl], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let count = 0;
  await new Promise<void>((resolve) =>
    child.on('message', (m: { type: string; count?: number }) => {
      if (m.type === 'ready') resolve();
      else count = m.count ?? count;
    }),
  );
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
  const samples: Array<{ t: number; n: number }> = [];
  const started = Date.now();
  const timer = setInterval(() => {
    pubs.credit(count + 40_000); // keep the broker's queue bounded, as in the pipeline run
    samples.push({ t: Date.now() - started, n: count });
    if (samples.length % 8 === 0) say(`broker ceiling: ${((count / (Date.now() - started)) * 1000).toFixed(0)} msg/s so far`);
  }, 250);
  const published = await pubs.done;
  clearInterval(timer);
  child.send('stop');
  // Rate over the steady part: from 1 s in to the end of publishing.
  const from = samples.find((s) => s.t >= 1000) ?? { t: 0, n: 0 };
  const to = samples[samples.length - 1] ?? from;
  const perSec = ((to.n - from.n) / Math.max(1, to.t - from.t)) * 1000;
  return { perSec, published: published.acked, samples };
}

/** (b) What PostgreSQL takes through COPY, one connection, into a copy of the events table (same key). */
export async function measureDbCeiling(env: BenchEnv, o: { rows: number }) {
  const client = new pg.Client({ connectionString: env.pgUrl });
  await client.connect();
  await client.query('DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (LIKE occupancy_events INCLUDING ALL)');
  const ids = env.sensorIds;
  const now = Date.now();
  // Rows are rendered before the clock starts: the ceiling is PostgreSQL's, not this loop's.
  const chunks: string[] = [];
  let chunk: string[] = [];
  for (let i = 0; i < o.rows; i++) {
    const seq = Math.floor(i / ids.length) + 1;
    const ts = new Date(now + i).toISOString();
    chunk.push(`${ids[i % ids.length]}\t${ts}\t${seq}\t${ts}\t${i % 3 === 0 ? 't' : 'f'}\t3.61\t-97\tf\t{}\n`);
    if (chunk.length === 5000 || i === o.rows - 1) {
      chunks.push(chunk.join(''));
      chunk = [];
    }
  }
  const started = process.hrtime.bigint();
  await pipeline(
    Readable.from(chunks),
    client.query(copyFrom('COPY bench_copy (sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags) FROM STDIN')),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await client.query('DROP TABLE bench_copy');
  await client.end();
  return { rowsPerSec: o.rows / seconds, rows: o.rows };
}
