import { createSilentLogger } from '@freiplatz/config';
import { type ChangedFacility, createPool, type Database } from '@freiplatz/db';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../../../../test/harness.js';
import { createFacilityCache, type FacilityCache } from './facility-cache.js';
import type { FacilityEntry } from './facility-entry.js';

describe('facility cache (LISTEN/NOTIFY)', () => {
  let h: Harness;
  let queries = 0;
  let counted: Kysely<Database>;
  let cache: FacilityCache;
  const observed: Array<{ change: ChangedFacility; read: Promise<FacilityEntry | undefined> | FacilityEntry | undefined }> = [];
  const stateVersion = async (id: string) =>
    (await h.db.selectFrom('facility_state').select('version').where('facility_id', '=', id).executeTakeFirstOrThrow()).version;

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'sign', spots: 4 }, { id: 'other', spots: 2 }));
    counted = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: createPool({ connectionString: h.databaseUrl, max: 2 }) }),
      log: () => {
        queries += 1;
      },
    });
    cache = createFacilityCache({
      db: counted,
      logger: createSilentLogger(),
      databaseUrl: h.databaseUrl,
      // A read issued the moment a notification arrives must already see that version.
      onNotification: (changes) => {
        for (const change of changes) observed.push({ change, read: cache.get(change.facilityId) });
      },
    });
    await cache.ready();
    await h.startIngest({ batchSize: 2, flushMs: 1 });
  });
  afterAll(async () => {
    await cache?.close();
    await counted?.destroy();
    await h?.close();
  });

  it('answers reads from memory without touching the database', async () => {
    await expect.poll(() => cache.listening).toBe(true);
    const before = queries;
    for (let i = 0; i < 200; i++) {
      const entry = cache.get('sign');
      expect(entry).not.toBeInstanceOf(Promise);
      expect((entry as FacilityEntry).id).toBe('sign');
    }
    expect(cache.get('nope')).toBeUndefined();
    expect(queries).toBe(before);
  });

  it('never serves a state older than the last notified commit', async () => {
    observed.length = 0;
    const ts = Date.now();
    for (let seq = 1; seq <= 40; seq++) {
      await h.publish(`parking/v1/bays/sign-${(seq % 4) + 1}-s`, { occupied: seq % 3 === 0, ts: ts + seq, seq });
      await h.publish('parking/v1/bays/other-1-s', { occupied: seq % 2 === 0, ts: ts + seq, seq });
    }
    const lastSeq = (sensorId: string) =>
      h.db.selectFrom('sensor_state').select('seq').where('sensor_id', '=', sensorId).executeTakeFirst();
    await expect
      .poll(async () => [(await lastSeq('other-1-s'))?.seq, (await lastSeq('sign-1-s'))?.seq], { timeout: 15_000 })
      .toEqual([40, 40]);
    for (const id of ['sign', 'other']) {
      const version = await stateVersion(id);
      await expect.poll(async () => (await cache.get(id))?.version).toBe(version);
    }
    expect(observed.length).toBeGreaterThanOrEqual(10);
    for (const { change, read } of observed) {
      const entry = await read;
      expect(entry?.version, `${change.facilityId} read after notification of v${change.version}`).toBeGreaterThanOrEqual(change.version);
    }
    for (const id of ['sign', 'other']) expect((await cache.get(id))?.version).toBe(await stateVersion(id));
  });

  it('applies the state announced with a change at once, without reading it back', async () => {
    await expect.poll(() => cache.listening).toBe(true);
    observed.length = 0;
    const before = queries;
    await h.publish('parking/v1/bays/sign-2-s', { occupied: true, ts: Date.now(), seq: 500 });
    await expect.poll(() => observed.length).toBeGreaterThan(0);
    const [first] = observed;
    // Synchronous: the entry was swapped in before anyone asked.
    expect(first?.read).not.toBeInstanceOf(Promise);
    const entry = first?.read as FacilityEntry;
    expect(entry.version).toBe(first?.change.version);
    const row = await h.db.selectFrom('facility_state').selectAll().where('facility_id', '=', 'sign').executeTakeFirstOrThrow();
    expect(entry.version).toBe(row.version);
    expect(entry.record.state).toMatchObject({
      capacity: row.capacity,
      free: row.free,
      occupied: row.occupied,
      unknown: row.unknown,
      closed: row.closed,
      status: row.status,
      byCategory: row.by_category,
    });
    expect(entry.record.state.confidence).toBeCloseTo(row.confidence, 5);
    expect(entry.record.name).toBe('Facility sign');
    expect(queries).toBe(before);
  });

  it('reconnects after losing its connection and stays current meanwhile', async () => {
    const admin = new pg.Client({ connectionString: h.databaseUrl });
    await admin.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'freiplatz-api-listen' AND datname = current_database()`,
      );
      await expect.poll(() => cache.listening).toBe(false);
      // Committed while nobody listens: never announced to the cache, yet reads stay current (read-through).
      const before = await stateVersion('other');
      await h.publish('parking/v1/bays/other-2-s', { occupied: false, ts: Date.now(), seq: 100 });
      await expect.poll(() => stateVersion('other')).toBeGreaterThan(before);
      const version = await stateVersion('other');
      expect((await cache.get('other'))?.version).toBe(version);
      await expect.poll(() => cache.listening, { timeout: 10_000 }).toBe(true);
      expect((cache.get('other') as FacilityEntry).version).toBe(version);
    } finally {
      await admin.end();
    }
  });

  it('after a reconnect, serves nothing from memory until it has read what was committed while nobody listened', async () => {
    const admin = new pg.Client({ connectionString: h.databaseUrl });
    const blocker = new pg.Client({ connectionString: h.databaseUrl });
    await Promise.all([admin.connect(), blocker.connect()]);
    const listenBackends = async () =>
      (
        await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE application_name = 'freiplatz-api-listen' AND datname = current_database()
             AND state = 'idle' AND query LIKE 'LISTEN%'`,
        )
      ).rows.map((r) => r.pid);
    const others = await listenBackends();
    // A cache of its own whose listener comes back only after 4 s: time to commit a change unheard
    // and then hold up the full read that follows the reconnect.
    const late = createFacilityCache({
      db: h.db,
      logger: createSilentLogger(),
      databaseUrl: h.databaseUrl,
      reconnectDelayMs: { min: 4000, max: 4000 },
    });
    const newBackend = async () => (await listenBackends()).find((pid) => !others.includes(pid));
    try {
      await late.ready();
      await expect.poll(() => late.listening).toBe(true);
      const stale = (late.get('other') as FacilityEntry).version;
      const lost = await newBackend();
      await admin.query('SELECT pg_terminate_backend($1)', [lost]);
      await expect.poll(() => late.listening).toBe(false);
      // other-2-s was free (the tests before): occupied now, so the facility's counts change.
      await h.publish('parking/v1/bays/other-2-s', { occupied: true, ts: Date.now(), seq: 200 });
      await expect.poll(() => stateVersion('other')).toBeGreaterThan(stale);
      const version = await stateVersion('other');
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE facilities IN ACCESS EXCLUSIVE MODE');
      expect(await newBackend()).toBeUndefined(); // still away: the change went unheard
      await expect.poll(newBackend, { timeout: 10_000 }).not.toBeUndefined();
      // LISTEN is back; the full read it started waits on the lock.
      await expect
        .poll(
          async () =>
            (
              await admin.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
              )
            ).rows[0]?.n,
        )
        .toBeGreaterThan(0);
      expect(late.listening).toBe(false);
      const answer = late.get('other');
      await blocker.query('ROLLBACK');
      expect((await answer)?.version).toBe(version);
      await expect.poll(() => late.listening, { timeout: 10_000 }).toBe(true);
      expect((late.get('other') as FacilityEntry).version).toBe(version);
    } finally {
      await blocker.query('ROLLBACK').catch(() => {});
      await late.close();
      await Promise.all([admin.end(), blocker.end()]);
    }
  });

  it('adds facilities imported after start and tells subscribers', async () => {
    const seen: string[] = [];
    const unsubscribe = cache.subscribe((slot) => seen.push(slot.id));
    await h.importRegistry(buildRegistry({ id: 'late', spots: 1 }));
    await expect.poll(() => (cache.get('late') as FacilityEntry | undefined)?.id).toBe('late');
    expect(seen).toContain('late');
    unsubscribe();
  });
});
