import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRegistry, createTestDatabase, type TestDatabase } from '@freiplatz/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { maintainEventPartitions } from './event-retention.repository.js';
import { listOccupancyBuckets, recordFacilityStateSamples } from './history.repository.js';
import { MIGRATIONS_DIR, migrate } from './migrate.js';

const DAY = 86_400_000;
const startOfUtcDay = (d: Date) => new Date(Math.floor(d.getTime() / DAY) * DAY);
const partitionName = (d: Date) => `occupancy_events_p${d.toISOString().slice(0, 10).replaceAll('-', '')}`;

describe('raw event retention on plain PostgreSQL (migration 0017)', () => {
  let h: TestDatabase;
  const today = startOfUtcDay(new Date());
  const day = (n: number, hours = 12) => new Date(today.getTime() + n * DAY + hours * 3_600_000);

  const partitions = async () =>
    (
      await sql<{ name: string }>`
        SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'occupancy_events'::regclass ORDER BY 1`.execute(h.db)
    ).rows.map((r) => r.name);
  const insertEvent = (sensorId: string, ts: Date) =>
    sql`INSERT INTO occupancy_events (sensor_id, ts, seq, received_at, occupied) VALUES (${sensorId}, ${ts}, 1, ${ts}, true)
      ON CONFLICT (sensor_id, ts, seq) DO NOTHING`.execute(h.db);
  const eventDays = async () =>
    (await sql<{ ts: Date }>`SELECT ts FROM occupancy_events ORDER BY ts`.execute(h.db)).rows.map((r) => r.ts.toISOString());

  beforeAll(async () => {
    h = await createTestDatabase();
    await h.importRegistry(buildRegistry({ id: 'old', spots: 1 }));
  });
  afterAll(async () => h?.close());

  it('is a table partitioned by day, with the coming week created ahead', async () => {
    const names = await partitions();
    // The table as it was (up to the end of the day it was converted) is one partition.
    for (let n = 1; n <= 7; n++) expect(names).toContain(partitionName(day(n)));
    expect(names).toContain('occupancy_events_default');
    expect(names).toContain('occupancy_events_before');
  });

  it('keeps the dedupe key: the same event twice is stored once', async () => {
    await insertEvent('s', day(1));
    await insertEvent('s', day(1));
    expect(await eventDays()).toEqual([day(1).toISOString()]);
  });

  it('drops whole partitions past the limit and keeps the history aggregates', async () => {
    await insertEvent('s', day(5));
    await h.db
      .transaction()
      .execute((trx) =>
        recordFacilityStateSamples(trx, [{ facilityId: 'old', version: 1, capacity: 1, free: 0, occupied: 1, unknown: 0 }], day(1)),
      );
    const history = () => listOccupancyBuckets(h.db, 'old', day(-1, 0), day(30, 0));
    const before = await history();
    expect(before.map((b) => b.bucket.toISOString())).toContain(day(1).toISOString());

    // Four days on, a limit of two days: everything dated before day 2 is past it.
    const dropped = await maintainEventPartitions(h.db, 2, day(4, 0));
    expect(dropped.sort()).toEqual(['occupancy_events_before', partitionName(day(1))].sort());
    const names = await partitions();
    expect(names).not.toContain(partitionName(day(1)));
    expect(names).toContain(partitionName(day(2)));
    // Created ahead: a week after "now".
    expect(names).toContain(partitionName(day(11)));
    expect(await eventDays()).toEqual([day(5).toISOString()]);
    // The table itself is gone, not emptied row by row.
    expect(
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_class WHERE relname = ${partitionName(day(1))}`.execute(h.db)).rows[0]?.n,
    ).toBe(0);
    expect(await history()).toEqual(before);
    // Run again: nothing more to drop.
    expect(await maintainEventPartitions(h.db, 2, day(4, 0))).toEqual([]);
  });

  it('indexes time as BRIN on every partition, those created later too (migration 0020)', async () => {
    await maintainEventPartitions(h.db, 180, day(9, 0)); // creates days 10–16
    const names = await partitions();
    expect(names).toContain(partitionName(day(16)));
    const { rows } = await sql<{ partition: string; method: string; definition: string; options: string[] | null }>`
      SELECT t.relname AS partition, am.amname AS method, pg_get_indexdef(ix.indexrelid) AS definition, c.reloptions AS options
      FROM pg_inherits i
      JOIN pg_class t ON t.oid = i.inhrelid
      JOIN pg_index ix ON ix.indrelid = t.oid AND NOT ix.indisprimary
      JOIN pg_class c ON c.oid = ix.indexrelid
      JOIN pg_am am ON am.oid = c.relam
      WHERE i.inhparent = 'occupancy_events'::regclass ORDER BY 1`.execute(h.db);
    expect(rows.map((r) => r.partition)).toEqual(names);
    for (const r of rows) {
      expect(r.method).toBe('brin');
      expect(r.definition).toMatch(/USING brin \(ts\)/);
      expect(r.options).toEqual(['autosummarize=on']);
    }
  });

  it('moves events that arrived for a day not yet created into its partition when it is created', async () => {
    await insertEvent('far', day(20));
    const inDefault = async () =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM occupancy_events_default`.execute(h.db)).rows[0]?.n;
    expect(await inDefault()).toBe(1);
    await maintainEventPartitions(h.db, 2, day(14, 0));
    expect(await inDefault()).toBe(0);
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(partitionName(day(20)))}`.execute(h.db)).rows[0]?.n).toBe(
      1,
    );
  });
});

describe('migration 0017 on a database that already holds events', () => {
  it('turns the table into a partition of the new one, every row kept, none copied', async () => {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    const name = `t_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(inject('pgAdminUrl'));
    url.pathname = `/${name}`;
    const before = await mkdtemp(join(tmpdir(), 'freiplatz-migrations-'));
    const client = new pg.Client({ connectionString: url.toString() });
    try {
      for (const f of await readdir(MIGRATIONS_DIR)) if (f < '0017') await cp(join(MIGRATIONS_DIR, f), join(before, f));
      await migrate(url.toString(), before);
      await client.connect();
      await client.query(`INSERT INTO occupancy_events (sensor_id, ts, seq, received_at, occupied)
        SELECT 's' || n, now() - n * interval '1 day', 1, now(), true FROM generate_series(0, 299) n`);
      const { applied } = await migrate(url.toString());
      expect(applied).toContain('0017_occupancy_events_retention.sql');
      const kinds = await client.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE relname = 'occupancy_events'`);
      expect(kinds.rows[0]?.relkind).toBe('p');
      const counts = await client.query<{ n: number; before: number }>(
        `SELECT (SELECT count(*)::int FROM occupancy_events) AS n, (SELECT count(*)::int FROM occupancy_events_before) AS before`,
      );
      expect(counts.rows[0]).toEqual({ n: 300, before: 300 });
      // The table as it was keeps its rows under the time index of 0020 (BRIN, as every partition).
      const methods = await client.query<{ method: string }>(`SELECT am.amname AS method FROM pg_index ix
        JOIN pg_class c ON c.oid = ix.indexrelid JOIN pg_am am ON am.oid = c.relam
        WHERE ix.indrelid = 'occupancy_events_before'::regclass AND NOT ix.indisprimary`);
      expect(methods.rows).toEqual([{ method: 'brin' }]);
      // The same key still refuses a duplicate.
      await client.query(`INSERT INTO occupancy_events (sensor_id, ts, seq, received_at)
        SELECT sensor_id, ts, seq, received_at FROM occupancy_events WHERE sensor_id = 's5' ON CONFLICT (sensor_id, ts, seq) DO NOTHING`);
      expect((await client.query<{ n: number }>('SELECT count(*)::int AS n FROM occupancy_events')).rows[0]?.n).toBe(300);
    } finally {
      await client.end().catch(() => {});
      await rm(before, { recursive: true, force: true });
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
