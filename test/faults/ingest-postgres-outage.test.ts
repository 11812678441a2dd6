import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db, type EmbeddedPostgresHandle, importRegistry, migrate, startEmbeddedPostgres } from '@freiplatz/db';
import { buildRegistry, findFreePort } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerBackend, startBrokerBackend } from '../support/broker.js';
import { accountFor, countStored, startLoad } from './load.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

const SENSORS = 200;
const RATE = 2000;
const OUTAGE_MS = 30_000;
const MAX_UNACKED = 2000;
const sensorIds = Array.from({ length: SENSORS }, (_, i) => `pgdown-${i + 1}-s`);

// Its own PostgreSQL server, since this test stops it.
describe('PostgreSQL stopped for 30 s under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'freiplatz-pg-outage-'));
  let port = 0;
  let pgServer: EmbeddedPostgresHandle | null = null;
  let broker: BrokerBackend;
  let db: Db;
  let worker: WorkerProcess | null = null;
  const startPostgres = async () => {
    pgServer = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port, database: 'outage' });
    return pgServer.connectionString;
  };

  beforeAll(async () => {
    chmodSync(dir, 0o755); // PostgreSQL runs as its own user when the tests run as root
    port = await findFreePort();
    const url = await startPostgres();
    await migrate(url);
    db = createDb({ connectionString: url, max: 2 });
    await importRegistry(db, buildRegistry({ id: 'pgdown', spots: SENSORS }));
    broker = await startBrokerBackend({ quiet: true, ownBroker: true });
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await db?.destroy();
    await pgServer?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds acknowledgements, stays bounded, resumes by itself and stores every event once', { timeout: 150_000 }, async () => {
    worker = await startWorkerProcess({
      DATABASE_URL: pgServer?.connectionString ?? '',
      MQTT_URL: broker.url,
      MQTT_CLIENT_ID: 'pg-outage-ingest',
      MQTT_PROTOCOL_VERSION: String(broker.protocolVersion),
      INGEST_MAX_UNACKED: String(MAX_UNACKED),
    });
    const w = worker;
    const load = await startLoad({
      url: broker.url,
      protocolVersion: broker.protocolVersion,
      sensorIds,
      ratePerSec: RATE,
      maxEvents: RATE * 40,
      maxMs: 60_000,
      clientId: 'pg-outage-pub',
    });
    await expect.poll(() => countStored(db), { timeout: 30_000, interval: 100 }).toBeGreaterThan(RATE * 3);

    await pgServer?.stop();
    const outageEnds = Date.now() + OUTAGE_MS;
    let peakUnacked = 0;
    let peakRssMiB = 0;
    while (Date.now() < outageEnds) {
      peakUnacked = Math.max(peakUnacked, await w.metric('freiplatz_ingest_unacked_messages'));
      peakRssMiB = Math.max(peakRssMiB, w.rssMiB());
      await new Promise((r) => setTimeout(r, 500));
    }
    // Nothing committed, so nothing acknowledged: at most the bound is held, the rest waits at the broker.
    expect(await w.metric('freiplatz_ingest_commit_failures_total')).toBeGreaterThan(0);
    expect(peakUnacked).toBeGreaterThan(0);
    expect(peakUnacked).toBeLessThanOrEqual(MAX_UNACKED);
    expect(peakRssMiB).toBeLessThan(300);

    await startPostgres();
    await load.done;
    expect(load.acked.size).toBe(RATE * 40);
    await expect.poll(() => countStored(db), { timeout: 60_000, interval: 250 }).toBe(load.acked.size);
    expect(await w.metric('freiplatz_ingest_unacked_messages')).toBe(0);
    expect(await accountFor(db, load)).toEqual({ published: RATE * 40, stored: RATE * 40, missing: [], unexpected: [] });
  });
});
