import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db, type EmbeddedPostgresHandle, importRegistry, migrate, startEmbeddedPostgres } from '@freiplatz/db';
import { parseRegistry } from '@freiplatz/domain';
import { findFreePort } from '@freiplatz/testing';
import { sql } from 'kysely';
import { type MosquittoHandle, startMosquitto } from '../../test/support/mosquitto.js';
import { BENCH_PG_SETTINGS } from '../pg-settings.js';

export interface BenchEnv {
  mqttUrl: string;
  pgUrl: string;
  db: Db;
  /** Bay sensors of the load, all registered (so every batch refreshes facility state). */
  sensorIds: string[];
  /** One-spot facilities whose free count flips with every probe (latency). */
  probeFacilities: string[];
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  close(): Promise<void>;
}

/** The same server through its Unix socket (in /tmp, named by port). */
const viaSocket = (url: string, port: number) => {
  const u = new URL(url);
  return `postgres://${u.username}:${u.password}@localhost${u.pathname}?host=/tmp&port=${port}`;
};

/** Mosquitto 2 and PostgreSQL (embedded binaries, fsync on) on 127.0.0.1, migrated, with a registry. */
export async function startBenchEnv(options: { facilities: number; spotsPerFacility: number; probes: number }): Promise<BenchEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'freiplatz-bench-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we run as root
  const port = await findFreePort();
  const pgOptions = { dataDir: join(dir, 'pg'), port, database: 'bench', settings: BENCH_PG_SETTINGS };
  let pg: EmbeddedPostgresHandle = await startEmbeddedPostgres(pgOptions);
  const mosquitto: MosquittoHandle = await startMosquitto();
  const pgUrl = viaSocket(pg.connectionString, port);
  await migrate(pgUrl);
  const db = createDb({ connectionString: pgUrl, max: 2 });

  const facilities = [];
  const sensors = [];
  for (let f = 1; f <= options.facilities; f++) {
    const spots = Array.from({ length: options.spotsPerFacility }, (_, s) => ({ id: `bf${f}-${s + 1}`, category: 'standard' }));
    facilities.push({ id: `bf${f}`, name: `Bench ${f}`, kind: 'car_park', location: { lat: 52.13, lon: 11.63 }, spots });
    for (const spot of spots) sensors.push({ id: `${spot.id}-s`, spotId: spot.id });
  }
  const probeFacilities = Array.from({ length: options.probes }, (_, k) => `probe${k + 1}`);
  for (const id of probeFacilities) {
    facilities.push({
      id,
      name: `Probe ${id}`,
      kind: 'car_park',
      location: { lat: 52.13, lon: 11.63 },
      spots: [{ id: `${id}-1`, category: 'standard' }],
    });
    sensors.push({ id: `${id}-1-s`, spotId: `${id}-1` });
  }
  const parsed = parseRegistry({ version: 1, facilities, sensors });
  if (!parsed.ok) throw new Error(`bench registry: ${parsed.issues.slice(0, 3).join('; ')}`);
  await importRegistry(db, parsed.registry);
  await sql`ANALYZE`.execute(db); // a running database has statistics; a fresh import not yet

  return {
    mqttUrl: mosquitto.url,
    pgUrl,
    db,
    sensorIds: sensors.slice(0, options.facilities * options.spotsPerFacility).map((s) => s.id),
    probeFacilities,
    stopPostgres: () => pg.stop(),
    async startPostgres() {
      pg = await startEmbeddedPostgres(pgOptions);
    },
    async close() {
      await db.destroy();
      await mosquitto.dispose();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
