import { createSilentLogger } from '@freiplatz/config';
import { insertRejects, toReject } from '@freiplatz/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../../../test/harness.js';
import { createStateSweeper } from './state-sweeper.js';

describe('state sweeper', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'quiet', spots: 2, heartbeatIntervalSeconds: 60 }));
    await h.startIngest();
  });
  afterAll(async () => h?.close());

  it('turns a silent sensor unknown and bumps the version, though no event arrives', async () => {
    await h.publish('parking/v1/bays/quiet-1-s', { occupied: false, seq: 1 });
    await h.publish('parking/v1/bays/quiet-2-s', { occupied: true, seq: 1 });
    const state = () => h.db.selectFrom('facility_state').selectAll().where('facility_id', '=', 'quiet').executeTakeFirstOrThrow();
    await expect.poll(async () => (await state()).free).toBe(1);
    const before = await state();
    const listener = await h.listen('facility_state');

    // 2.5 heartbeats (150 s) plus a little: every sensor is now silent for too long.
    const later = new Date(Date.now() + 151_000);
    const sweeper = createStateSweeper({ db: h.db, intervalMs: 3_600_000, logger: createSilentLogger(), now: () => later });
    expect(await sweeper.sweep()).toBe(1);
    // Now in step with the clock: the next periodic sweep finds nothing to recount.
    expect(await sweeper.sweep()).toBe(0);
    expect(await sweeper.sweep({ full: true })).toBe(0);
    await sweeper.stop();
    const after = await state();
    expect(after).toMatchObject({ free: 0, occupied: 0, unknown: 2, status: 'unknown', version: before.version + 1 });
    await expect.poll(() => listener.payloads.length).toBe(1);
    const [change] = JSON.parse(listener.payloads[0] as string) as Array<[string, number, Record<string, unknown>]>;
    expect(change?.slice(0, 2)).toEqual(['quiet', before.version + 1]);
    expect(change?.[2]).toMatchObject({ free: 0, occupied: 0, unknown: 2, status: 'unknown', version: before.version + 1 });
    await listener.close();
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM occupancy_events`.execute(h.db)).rows[0]?.n).toBe(2);
  });

  it('closes and opens a facility at its opening hours without a sensor event', async () => {
    // 2026-12-12 is a Saturday (after the other test's clock, so only this facility changes): open until 22:00 Berlin (21:00 UTC), closed all Sunday, open Monday 07:00 (06:00 UTC).
    await h.importRegistry(
      buildRegistry({ id: 'allee', spots: 2, heartbeatIntervalSeconds: 7 * 86_400, openingHours: 'Mo-Sa 07:00-22:00' }),
    );
    const saturday = new Date('2026-12-12T20:00:00Z');
    await h.db
      .insertInto('sensor_state')
      .values(
        ['allee-1-s', 'allee-2-s'].map((id) => ({
          sensor_id: id,
          ts: saturday,
          seq: 1,
          occupied: false,
          first_seen_at: saturday,
          last_seen_at: saturday,
          event_count: 1,
        })),
      )
      .execute();
    const state = () => h.db.selectFrom('facility_state').selectAll().where('facility_id', '=', 'allee').executeTakeFirstOrThrow();
    let clock = saturday;
    const sweeper = createStateSweeper({ db: h.db, intervalMs: 3_600_000, logger: createSilentLogger(), now: () => clock });
    await sweeper.sweep({ full: true });
    expect(await state()).toMatchObject({ status: 'open', free: 2, open_now: true, hours_change_at: new Date('2026-12-12T21:00:00Z') });

    clock = new Date('2026-12-13T00:00:00Z'); // Sunday 01:00 in Berlin
    expect(await sweeper.sweep()).toBe(1);
    expect(await state()).toMatchObject({ status: 'closed', free: 2, open_now: false, hours_change_at: new Date('2026-12-14T06:00:00Z') });
    expect(await sweeper.sweep()).toBe(0);

    clock = new Date('2026-12-14T06:00:01Z'); // Monday 07:00:01 in Berlin
    expect(await sweeper.sweep()).toBe(1);
    expect(await state()).toMatchObject({ status: 'open', open_now: true, hours_change_at: new Date('2026-12-14T21:00:00Z') });
    await sweeper.stop();
  });

  it('applies the raw-event retention once a day: old partitions dropped whole, the coming days created', async () => {
    const partitions = async () =>
      (
        await sql<{ name: string }>`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'occupancy_events'::regclass`.execute(h.db)
      ).rows.map((r) => r.name);
    expect(await partitions()).toContain('occupancy_events_before');
    const clock = new Date('2027-03-01T12:00:00Z');
    const sweeper = createStateSweeper({
      db: h.db,
      intervalMs: 3_600_000,
      logger: createSilentLogger(),
      now: () => clock,
      eventsRetentionDays: 30,
    });
    await sweeper.sweep();
    await sweeper.stop();
    const names = await partitions();
    expect(names).not.toContain('occupancy_events_before');
    expect(names).toContain('occupancy_events_p20270308');
    expect(names.filter((n) => n < 'occupancy_events_p20270130' && n.startsWith('occupancy_events_p'))).toEqual([]);
  });

  it('deletes dead letters and audit entries past their retention in small batches, in each periodic sweep', async () => {
    const now = Date.now();
    const day = 86_400_000;
    const reject = (ageDays: number) =>
      toReject({ topic: 't', payload: Buffer.from('x'), code: 'NOT_JSON', reason: 'r', receivedAt: new Date(now - ageDays * day) });
    await insertRejects(h.db, [reject(40), reject(35), reject(31), reject(31), reject(31), reject(29), reject(1)]);
    await h.db
      .insertInto('audit_log')
      .values([400, 366, 366, 364, 1].map((age) => ({ at: new Date(now - age * day), action: 'test', key_id: null })))
      .execute();
    const left = async () => ({
      rejects: (await h.db.selectFrom('ingest_rejects').select('id').execute()).length,
      audit: (await h.db.selectFrom('audit_log').select('id').where('action', '=', 'test').execute()).length,
    });
    const retention = { ingestRejectsDays: 30, auditLogDays: 365, batchSize: 2 };
    const logger = createSilentLogger();
    // At most one small batch per table and sweep here: two rows each.
    const once = createStateSweeper({ db: h.db, intervalMs: 3_600_000, logger, retention: { ...retention, maxBatches: 1 } });
    expect(await once.expire()).toEqual({ ingest_rejects: 2, audit_log: 2 });
    await once.stop();
    expect(await left()).toEqual({ rejects: 5, audit: 3 });
    // The periodic sweep deletes the rest by itself, batch by batch, and keeps what is younger.
    const periodic = createStateSweeper({ db: h.db, intervalMs: 100, logger, retention });
    await expect.poll(left, { timeout: 5000 }).toEqual({ rejects: 2, audit: 2 });
    await periodic.stop();
    const kept = await h.db.selectFrom('ingest_rejects').select('received_at').orderBy('received_at').execute();
    expect(kept.map((r) => Math.round((now - r.received_at.getTime()) / day))).toEqual([29, 1]);
  });
});
