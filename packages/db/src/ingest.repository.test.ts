import type { BayEvent } from '@freiplatz/domain';
import { buildRegistry, createTestDatabase, type TestDatabase } from '@freiplatz/testing';
import { type Selectable, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FacilityStateTable } from './database.js';
import { refreshFacilityState } from './facility-recount.js';
import { refreshAllFacilityStates } from './facility-sweep.js';
import { commitIngestBatch } from './ingest.repository.js';
import { toIngestBatch } from './ingest-batch.js';
import { setSpotsClosed } from './ops.repository.js';

// Facility counts are maintained from the old → new status of the spots in each batch (migration
// 0007). These tests hold the incremental path to the full recount: after any sequence of batches —
// duplicates, out-of-order events, closures, silent sensors, two writers at once — the stored state
// must equal what a recount at the same moment computes.

const FACILITIES = ['inc-a', 'inc-b', 'inc-c'];
const HEARTBEAT_S = 600;
const t0 = new Date('2026-11-27T08:00:00Z');

/** mulberry32: a small seeded generator, so a failure replays the same sequence. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATE_COLUMNS = ['facility_id', 'capacity', 'free', 'occupied', 'unknown', 'closed', 'status', 'by_category'] as const;
type StateRow = Pick<Selectable<FacilityStateTable>, (typeof STATE_COLUMNS)[number]>;

async function storedState(h: TestDatabase): Promise<StateRow[]> {
  return h.db.selectFrom('facility_state').select(STATE_COLUMNS).where('facility_id', 'in', FACILITIES).orderBy('facility_id').execute();
}

/** What a full recount at `now` would store, computed in a transaction that is rolled back. */
async function recountedState(h: TestDatabase, now: Date): Promise<StateRow[]> {
  let rows: StateRow[] = [];
  await h.db
    .transaction()
    .execute(async (trx) => {
      await refreshFacilityState(trx, FACILITIES, now);
      rows = await trx
        .selectFrom('facility_state')
        .select(STATE_COLUMNS)
        .where('facility_id', 'in', FACILITIES)
        .orderBy('facility_id')
        .execute();
      throw new RollbackSignal();
    })
    .catch((err: unknown) => {
      if (!(err instanceof RollbackSignal)) throw err;
    });
  return rows;
}

class RollbackSignal extends Error {}

describe('incremental facility counts', () => {
  let h: TestDatabase;
  const sensors: string[] = [];
  beforeAll(async () => {
    h = await createTestDatabase();
    const registry = buildRegistry(
      {
        id: 'inc-a',
        spots: ['standard', 'standard', 'standard', 'standard', 'disabled', 'ev', 'ev', 'camper'],
        heartbeatIntervalSeconds: HEARTBEAT_S,
      },
      { id: 'inc-b', spots: 12, heartbeatIntervalSeconds: HEARTBEAT_S },
      { id: 'inc-c', spots: ['camper', 'camper', 'camper', 'disabled'], heartbeatIntervalSeconds: HEARTBEAT_S },
    );
    await h.importRegistry(registry);
    sensors.push(...registry.sensors.map((s) => s.id));
  });
  afterAll(async () => h?.close());

  const event = (sensorId: string, ts: Date, seq: number, occupied: boolean, receivedAt: Date): BayEvent => ({
    kind: 'bay',
    sensorId,
    ts,
    seq,
    receivedAt,
    occupied,
    heartbeat: false,
    battery: 3.6,
    rssi: -80,
    flags: [],
  });

  it('equals a full recount after 60 random batches with duplicates, reordering, closures and sweeps', async () => {
    const rnd = random(20261127);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
    let clock = t0.getTime();
    let seq = 0;
    const sent: BayEvent[] = [];
    let incremental = 0;
    for (let round = 0; round < 60; round++) {
      clock += 1000 + Math.floor(rnd() * 5000);
      const now = new Date(clock);
      const batch: BayEvent[] = [];
      for (let i = 0, n = 1 + Math.floor(rnd() * 25); i < n; i++) {
        const r = rnd();
        if (r < 0.1 && sent.length > 0)
          batch.push(pick(sent)); // a redelivered duplicate
        else if (r < 0.2)
          batch.push(event(pick(sensors), new Date(clock - 3_600_000), ++seq, rnd() < 0.5, now)); // late, older than state
        else batch.push(event(pick(sensors), new Date(clock - Math.floor(rnd() * 1000)), ++seq, rnd() < 0.5, now));
      }
      sent.push(...batch);
      const result = await commitIngestBatch(h.db, toIngestBatch(batch), now);
      incremental += result.changedFacilities.length;
      if (round % 15 === 7) {
        // An operator closes or reopens spots: a full recount under the same lock.
        const facility = pick(FACILITIES);
        await setSpotsClosed(h.db, facility, rnd() < 0.5, [`${facility}-1`, `${facility}-2`], now);
      }
      if (round === 30) {
        // Half an hour of silence: every sensor is stale until the sweep has accounted for it.
        clock += 2.5 * HEARTBEAT_S * 1000 + 60_000;
        await refreshAllFacilityStates(h.db, new Date(clock));
      }
      expect(await storedState(h), `round ${round}`).toEqual(await recountedState(h, new Date(clock)));
    }
    expect(incremental).toBeGreaterThan(30);
    // Something of every kind was counted, so the comparison above had something to compare.
    const totals = await storedState(h);
    expect(totals.reduce((s, r) => s + r.free, 0)).toBeGreaterThan(0);
    expect(totals.reduce((s, r) => s + r.occupied, 0)).toBeGreaterThan(0);
  });

  it('a sensor back from silence moves its spot from unknown, once the sweep counted it unknown', async () => {
    const now = new Date(t0.getTime() + 10 * 3_600_000);
    await refreshAllFacilityStates(h.db, now); // everything heard hours ago is unknown now
    const before = (await storedState(h)).find((r) => r.facility_id === 'inc-b') as StateRow;
    await setSpotsClosed(h.db, 'inc-b', false, null, now);
    const opened = (await storedState(h)).find((r) => r.facility_id === 'inc-b') as StateRow;
    expect(opened).toMatchObject({ capacity: 12, free: 0, occupied: 0, unknown: 12, closed: 0 });
    expect(before.free + before.occupied).toBe(0);

    await commitIngestBatch(h.db, toIngestBatch([event('inc-b-3-s', now, 1e6, false, now), event('inc-b-4-s', now, 1e6, true, now)]), now);
    const after = (await storedState(h)).find((r) => r.facility_id === 'inc-b') as StateRow;
    // Two of twelve known: the counts move, the status does not guess (minKnownShare 0.5).
    expect(after).toMatchObject({ free: 1, occupied: 1, unknown: 10, status: 'unknown' });
    expect([after]).toEqual((await recountedState(h, now)).filter((r) => r.facility_id === 'inc-b'));
  });

  it('two writers on the same facilities at once end where a recount ends', async () => {
    const now = new Date(t0.getTime() + 11 * 3_600_000);
    const rnd = random(7);
    const batches = Array.from({ length: 40 }, (_, b) =>
      Array.from({ length: 30 }, (_, i) =>
        event(
          sensors[Math.floor(rnd() * sensors.length)] as string,
          new Date(now.getTime() + b * 10 + i),
          2e6 + b * 100 + i,
          rnd() < 0.5,
          now,
        ),
      ),
    );
    // The harness pool has four connections: up to four transactions run at the same time.
    await Promise.all(batches.map((events) => commitIngestBatch(h.db, toIngestBatch(events), now)));
    expect(await storedState(h)).toEqual(await recountedState(h, now));
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM occupancy_events WHERE seq >= 2000000`.execute(h.db);
    expect(rows[0]?.n).toBe(1200);
  });

  it('stores bay events field by field from their columns and counts a second delivery as duplicates', async () => {
    const now = new Date(t0.getTime() + 12 * 3_600_000);
    const events: BayEvent[] = [
      { ...event('inc-c-1-s', now, 3e6, true, now), battery: null, rssi: -99.5, temperature: 4.5, batteryLevel: 61, flags: ['clock_skew'] },
      { ...event('inc-c-2-s', new Date(now.getTime() - 1), 3e6 + 1, false, now), seq: null, heartbeat: true },
    ];
    const first = await commitIngestBatch(h.db, toIngestBatch(events), now);
    expect(first).toMatchObject({ inserted: 2, duplicates: 0 });
    const again = await commitIngestBatch(h.db, toIngestBatch(events), now);
    expect(again).toMatchObject({ inserted: 0, duplicates: 2 });
    const stored = await h.db
      .selectFrom('occupancy_events')
      .select([
        'sensor_id',
        'ts',
        'seq',
        'received_at',
        'occupied',
        'heartbeat',
        'battery',
        'rssi',
        'temperature',
        'battery_level',
        'flags',
      ])
      .where('sensor_id', 'in', ['inc-c-1-s', 'inc-c-2-s'])
      .where('ts', '>=', new Date(now.getTime() - 1))
      .orderBy('sensor_id')
      .execute();
    expect(stored).toEqual([
      {
        sensor_id: 'inc-c-1-s',
        ts: now,
        seq: 3e6,
        received_at: now,
        occupied: true,
        heartbeat: false,
        battery: null,
        rssi: -99.5,
        temperature: 4.5,
        battery_level: 61,
        flags: ['clock_skew'],
      },
      {
        sensor_id: 'inc-c-2-s',
        ts: new Date(now.getTime() - 1),
        seq: -1,
        received_at: now,
        occupied: false,
        heartbeat: true,
        battery: 3.6,
        rssi: -80,
        temperature: null,
        battery_level: null,
        flags: [],
      },
    ]);
  });
});
