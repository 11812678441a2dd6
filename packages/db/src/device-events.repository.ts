import type { CounterEvent, StatusEvent } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { type DeviceEvent, NO_SEQ } from './ingest-batch.js';
import { flagsLiteral, toReal } from './pg-encoding.js';

export interface DeviceEventsResult {
  inserted: number;
  /** Counted facilities whose count may have changed. */
  facilityIds: string[];
}

/**
 * Stores counter and device-status events in the batch transaction (bay events take the fast path in
 * `commitIngestBatch`): history with duplicates ignored, and sensor state — battery and link margin
 * for status reports, the net vehicle count for counters.
 */
export async function commitDeviceEvents(trx: Kysely<Database>, events: readonly DeviceEvent[]): Promise<DeviceEventsResult> {
  const status = events.filter((e): e is StatusEvent => e.kind === 'status');
  const counters = events.filter((e): e is CounterEvent => e.kind === 'counter');
  const inserted = (await commitStatusEvents(trx, status)) + (await commitCounterEvents(trx, counters));
  if (counters.length === 0) return { inserted, facilityIds: [] };
  const rows = await trx
    .selectFrom('sensors')
    .select('facility_id')
    .where('id', 'in', [...new Set(counters.map((c) => c.sensorId))])
    .where('facility_id', 'is not', null)
    .execute();
  return { inserted, facilityIds: rows.map((r) => r.facility_id).filter((id): id is string => id !== null) };
}

async function commitStatusEvents(trx: Kysely<Database>, events: readonly StatusEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const e = [...events].sort((a, b) => (a.sensorId < b.sensorId ? -1 : a.sensorId > b.sensorId ? 1 : 0));
  const { rows } = await sql<{ inserted: number }>`
    WITH input AS (
      SELECT * FROM unnest(${e.map((x) => x.sensorId)}::text[], ${e.map((x) => x.ts)}::timestamptz[],
        ${e.map((x) => x.receivedAt)}::timestamptz[], ${e.map((x) => toReal(x.battery))}::real[], ${e.map((x) => toReal(x.batteryLevel))}::real[],
        ${e.map((x) => x.margin)}::smallint[], ${e.map((x) => flagsLiteral(x.flags))}::text[])
        AS t(sensor_id, ts, received_at, battery, battery_level, margin, flags)
    ),
    ins AS (
      INSERT INTO occupancy_events (sensor_id, ts, seq, received_at, battery, battery_level, margin, flags)
      SELECT sensor_id, ts, ${NO_SEQ}, received_at, battery, battery_level, margin, flags::text[] FROM input
      ON CONFLICT (sensor_id, ts, seq) DO NOTHING
      RETURNING *
    ),
    newest AS (
      SELECT DISTINCT ON (sensor_id) sensor_id, battery, battery_level, margin,
        min(received_at) OVER w AS first_seen, max(received_at) OVER w AS last_seen, count(*) OVER w AS n
      FROM ins WINDOW w AS (PARTITION BY sensor_id) ORDER BY sensor_id, ts DESC
    ),
    upsert AS (
      -- A sensor first heard through a status report has no occupancy yet: its order key starts at
      -- the epoch so any real reading is newer.
      INSERT INTO sensor_state AS s (sensor_id, ts, seq, battery, battery_level, margin, first_seen_at, last_seen_at, event_count)
      SELECT sensor_id, to_timestamp(0), ${NO_SEQ}, battery, battery_level, margin, first_seen, last_seen, n FROM newest ORDER BY sensor_id
      ON CONFLICT (sensor_id) DO UPDATE SET
        battery = coalesce(excluded.battery, s.battery),
        battery_level = coalesce(excluded.battery_level, s.battery_level),
        margin = coalesce(excluded.margin, s.margin),
        last_seen_at = greatest(s.last_seen_at, excluded.last_seen_at),
        event_count = s.event_count + excluded.event_count
      RETURNING 1
    )
    SELECT (SELECT count(*)::int FROM ins) AS inserted, (SELECT count(*) FROM upsert) AS upserted`.execute(trx);
  return rows[0]?.inserted ?? 0;
}

interface CounterRow {
  sensor_id: string;
  ts: Date;
  seq: number;
  received_at: Date;
  vehicles: number | null;
  entered: number | null;
  exited: number | null;
  battery: number | null;
  rssi: number | null;
}

const after = (a: { ts: Date; seq: number }, b: { ts: Date; seq: number }) =>
  a.ts.getTime() > b.ts.getTime() || (a.ts.getTime() === b.ts.getTime() && a.seq > b.seq);

/**
 * Counters: an absolute `vehicles` newer than the current base becomes the base, plus every delta
 * in history after it (so late deltas and late absolutes land right); otherwise new deltas newer
 * than the base are added. Deltas older than the base are already inside that absolute count.
 */
async function commitCounterEvents(trx: Kysely<Database>, events: readonly CounterEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const e = [...events].sort((a, b) => (a.sensorId < b.sensorId ? -1 : a.sensorId > b.sensorId ? 1 : a.ts.getTime() - b.ts.getTime()));
  const { rows } = await sql<CounterRow>`
    INSERT INTO occupancy_events (sensor_id, ts, seq, received_at, vehicles, entered, exited, battery, rssi, flags)
    SELECT sensor_id, ts, seq, received_at, vehicles, entered, exited, battery, rssi, flags::text[]
    FROM unnest(${e.map((x) => x.sensorId)}::text[], ${e.map((x) => x.ts)}::timestamptz[], ${e.map((x) => x.seq ?? NO_SEQ)}::bigint[],
      ${e.map((x) => x.receivedAt)}::timestamptz[], ${e.map((x) => x.vehicles)}::int[], ${e.map((x) => x.entered)}::int[],
      ${e.map((x) => x.exited)}::int[], ${e.map((x) => toReal(x.battery))}::real[], ${e.map((x) => toReal(x.rssi))}::real[],
      ${e.map((x) => flagsLiteral(x.flags))}::text[])
      AS t(sensor_id, ts, seq, received_at, vehicles, entered, exited, battery, rssi, flags)
    ON CONFLICT (sensor_id, ts, seq) DO NOTHING
    RETURNING sensor_id, ts, seq, received_at, vehicles, entered, exited, battery, rssi`.execute(trx);
  const bySensor = new Map<string, CounterRow[]>();
  for (const r of rows) bySensor.set(r.sensor_id, [...(bySensor.get(r.sensor_id) ?? []), r]);
  for (const [sensorId, list] of [...bySensor].sort(([a], [b]) => (a < b ? -1 : 1))) {
    await applyCounterRows(trx, sensorId, list);
  }
  return rows.length;
}

async function applyCounterRows(trx: Kysely<Database>, sensorId: string, list: CounterRow[]): Promise<void> {
  const state = await sql<{ vehicles: number | null; vehicles_ts: Date | null; vehicles_seq: number | null }>`
    SELECT vehicles, vehicles_ts, vehicles_seq FROM sensor_state WHERE sensor_id = ${sensorId} FOR UPDATE`.execute(trx);
  const current = state.rows[0];
  const base = current?.vehicles_ts ? { ts: current.vehicles_ts, seq: current.vehicles_seq ?? NO_SEQ } : null;
  const absolutes = list.filter((r) => r.vehicles !== null).sort((a, b) => (after(a, b) ? -1 : 1));
  const newest = [...list].sort((a, b) => (after(a, b) ? -1 : 1))[0]!;
  let vehicles: number;
  let newBase = base;
  const abs = absolutes[0];
  if (abs && (base === null || after(abs, base))) {
    const since = await sql<{ delta: number }>`
      SELECT coalesce(sum(coalesce(entered, 0) - coalesce(exited, 0)), 0)::int AS delta FROM occupancy_events
      WHERE sensor_id = ${sensorId} AND vehicles IS NULL AND (ts, seq) > (${abs.ts}::timestamptz, ${abs.seq}::bigint)
        -- Implied by the row comparison; said plainly so that only the daily partitions since then are read (migration 0017).
        AND ts >= ${abs.ts}::timestamptz`.execute(trx);
    vehicles = (abs.vehicles ?? 0) + (since.rows[0]?.delta ?? 0);
    newBase = { ts: abs.ts, seq: abs.seq };
  } else {
    const deltas = list.filter((r) => r.vehicles === null && (base === null || after(r, base)));
    vehicles = (current?.vehicles ?? 0) + deltas.reduce((sum, r) => sum + (r.entered ?? 0) - (r.exited ?? 0), 0);
  }
  const firstSeen = new Date(Math.min(...list.map((r) => r.received_at.getTime())));
  const lastSeen = new Date(Math.max(...list.map((r) => r.received_at.getTime())));
  await sql`
    INSERT INTO sensor_state AS s (sensor_id, ts, seq, battery, rssi, first_seen_at, last_seen_at, event_count, vehicles, vehicles_ts, vehicles_seq)
    VALUES (${sensorId}, ${newest.ts}, ${newest.seq}, ${newest.battery}, ${newest.rssi}, ${firstSeen}, ${lastSeen}, ${list.length},
      ${vehicles}, ${newBase?.ts ?? null}, ${newBase?.seq ?? null})
    ON CONFLICT (sensor_id) DO UPDATE SET
      ts = greatest(s.ts, excluded.ts),
      seq = CASE WHEN (excluded.ts, excluded.seq) > (s.ts, s.seq) THEN excluded.seq ELSE s.seq END,
      battery = CASE WHEN (excluded.ts, excluded.seq) > (s.ts, s.seq) THEN coalesce(excluded.battery, s.battery) ELSE s.battery END,
      rssi = CASE WHEN (excluded.ts, excluded.seq) > (s.ts, s.seq) THEN coalesce(excluded.rssi, s.rssi) ELSE s.rssi END,
      last_seen_at = greatest(s.last_seen_at, excluded.last_seen_at),
      event_count = s.event_count + excluded.event_count,
      vehicles = excluded.vehicles, vehicles_ts = excluded.vehicles_ts, vehicles_seq = excluded.vehicles_seq`.execute(trx);
}
