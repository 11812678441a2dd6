import { type BayEvent, DEFAULT_STALE_FACTOR, type OccupancyEvent, type RejectCode, type SpotCategory } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { commitDeviceEvents } from './device-events.repository.js';
import {
  applySpotStatusChanges,
  type ChangedFacility,
  type CountedStatus,
  lockFacilities,
  lockSensorsOfFacilities,
  notifyFacilityChanges,
  type SpotStatusChange,
} from './facility-state.repository.js';
import { arrayLiteral, toReal, toText } from './real.js';

export interface Reject {
  topic: string;
  payload: Uint8Array;
  code: RejectCode;
  reason: string;
  receivedAt: Date;
}

export interface IngestBatch {
  events: readonly OccupancyEvent[];
  rejects: readonly Reject[];
}

export interface CommitResult {
  inserted: number;
  duplicates: number;
  rejected: number;
  changedFacilities: ChangedFacility[];
}

const NO_SEQ = -1;

/**
 * Commits one batch in one transaction: events (duplicates ignored), sensor state (newest `ts`
 * wins), facility state with its version, dead letters, and a NOTIFY that fires on commit.
 *
 * Locks, in the order every writer takes them (see `refreshFacilityState`):
 * 1. The events go in first, with no lock but their own keys.
 * 2. The batch's sensor state rows are locked (sensor id order). From then on no other writer
 *    changes those sensors, so one statement can upsert them, decide each spot's counted status
 *    in SQL (`freiplatz_sensor_status`, migration 0007) and return only the old → new moves per
 *    facility and category.
 * 3. Last, the facility state rows (id order), only to add those moves to the stored counts
 *    (`applySpotStatusChanges`) and announce them. Facility counts are sums, so moves of
 *    different sensors commute: commits with disjoint sensors (the parts the batcher splits a
 *    large batch into) overlap in everything but this short step.
 */
export async function commitIngestBatch(db: Kysely<Database>, batch: IngestBatch, now = new Date()): Promise<CommitResult> {
  // Sorted input makes concurrent transactions take row locks in the same order (no deadlocks).
  // Bay events take this path; counters and device-status reports are committed by commitDeviceEvents.
  const events = batch.events
    .filter((e): e is BayEvent => e.kind === 'bay')
    .sort((a, b) =>
      a.sensorId < b.sensorId ? -1 : a.sensorId > b.sensorId ? 1 : a.ts.getTime() - b.ts.getTime() || (a.seq ?? NO_SEQ) - (b.seq ?? NO_SEQ),
    );
  return db.transaction().execute(async (trx) => {
    const stored = events.length > 0 ? await insertBayEvents(trx, events) : [];
    const moves = stored.length > 0 ? await upsertSensorState(trx, sensorStateParameters(summariseBySensor(stored)), now) : NO_MOVES;
    const device = await commitDeviceEvents(trx, batch.events);
    let inserted = device.inserted;
    if (batch.rejects.length > 0) {
      const r = batch.rejects;
      await sql`
        INSERT INTO ingest_rejects (topic, payload, code, reason, received_at)
        SELECT * FROM unnest(${r.map((x) => toText(x.topic))}::text[], ${r.map((x) => Buffer.from(x.payload))}::bytea[],
          ${r.map((x) => x.code)}::text[], ${r.map((x) => toText(x.reason))}::text[], ${r.map((x) => x.receivedAt)}::timestamptz[])`.execute(
        trx,
      );
    }
    // Facilities recounted in full instead: counted ones (counters), and those where a sensor first
    // heard here was also first heard by a concurrent commit (its old status was not what we saw).
    // Their sensors are locked before any facility row, as the recount does.
    const recount = [...new Set([...moves.recount, ...device.facilityIds])];
    await lockSensorsOfFacilities(trx, recount);
    const locked = await lockFacilities(trx, [...moves.facilityIds, ...recount]);
    // Touched facilities without a state row yet are recounted too.
    recount.push(...moves.facilityIds.filter((id) => !locked.has(id)));
    const changedFacilities = await applySpotStatusChanges(trx, locked, moves.changes, recount, now);
    await notifyFacilityChanges(trx, changedFacilities);
    inserted += stored.length;
    return { inserted, duplicates: batch.events.length - inserted, rejected: batch.rejects.length, changedFacilities };
  });
}

/** Inserts bay events, duplicates ignored; returns the events that were new, in input order. */
async function insertBayEvents(trx: Kysely<Database>, events: readonly BayEvent[]): Promise<BayEvent[]> {
  // One row back, not one per event: the count, and the stored keys only when some were duplicates.
  // Timestamps travel as epoch milliseconds: `to_timestamp` turns them into the same instants
  // (rounded to the microsecond, exact for milliseconds) for less than PostgreSQL's parsing of ISO
  // text, and the commit thread does not render them (five per event with the sensor state).
  const { rows } = await sql<{ n: number; keys: Array<[string, number, number]> | null }>`
    WITH ins AS (
      INSERT INTO occupancy_events (sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags, temperature, battery_level)
      SELECT sensor_id, to_timestamp(ts_ms / 1000), seq, to_timestamp(received_ms / 1000), occupied, battery, rssi, heartbeat,
        flags::text[], temperature, battery_level
      FROM unnest(
        ${arrayLiteral(events.map((e) => e.sensorId))}::text[], ${arrayLiteral(events.map((e) => e.ts.getTime()))}::float8[],
        ${arrayLiteral(events.map((e) => e.seq ?? NO_SEQ))}::bigint[], ${arrayLiteral(events.map((e) => e.receivedAt.getTime()))}::float8[],
        ${arrayLiteral(events.map((e) => e.occupied))}::boolean[], ${arrayLiteral(events.map((e) => toReal(e.battery)))}::real[],
        ${arrayLiteral(events.map((e) => toReal(e.rssi)))}::real[], ${arrayLiteral(events.map((e) => e.heartbeat))}::boolean[],
        ${arrayLiteral(events.map((e) => `{${e.flags.join(',')}}`))}::text[],
        ${arrayLiteral(events.map((e) => toReal(e.temperature)))}::real[], ${arrayLiteral(events.map((e) => toReal(e.batteryLevel)))}::real[]
      ) WITH ORDINALITY AS t(sensor_id, ts_ms, seq, received_ms, occupied, battery, rssi, heartbeat, flags, temperature, battery_level, ord)
      ORDER BY ord
      ON CONFLICT (sensor_id, ts, seq) DO NOTHING
      RETURNING sensor_id, ts, seq
    ),
    counted AS (SELECT count(*)::int AS n FROM ins)
    SELECT n, CASE WHEN n < ${events.length}::int
      THEN (SELECT coalesce(json_agg(json_build_array(sensor_id, (extract(epoch FROM ts) * 1000)::float8, seq::float8)), '[]') FROM ins) END AS keys
    FROM counted`.execute(trx);
  const keys = rows[0]?.keys;
  if (keys === null || keys === undefined) return [...events]; // all new
  const key = (sensorId: string, tsMs: number, seq: number) => `${sensorId}\u0000${tsMs}\u0000${seq}`;
  const fresh = new Set(keys.map(([sensorId, tsMs, seq]) => key(sensorId, tsMs, seq)));
  // An event twice in one batch is inserted once: keep its first occurrence only.
  return events.filter((e) => fresh.delete(key(e.sensorId, e.ts.getTime(), e.seq ?? NO_SEQ)));
}

/** One sensor's share of a batch: its newest reading and when it was heard. */
interface SensorSummary {
  sensorId: string;
  newest: BayEvent;
  seq: number;
  firstSeenMs: number;
  lastSeenMs: number;
  count: number;
}

/** Groups stored events (sorted by sensor, ts, seq) per sensor, as the upsert wants them. */
function summariseBySensor(events: readonly BayEvent[]): SensorSummary[] {
  const out: SensorSummary[] = [];
  let cur: SensorSummary | undefined;
  for (const e of events) {
    const received = e.receivedAt.getTime();
    if (cur === undefined || cur.sensorId !== e.sensorId) {
      cur = { sensorId: e.sensorId, newest: e, seq: 0, firstSeenMs: received, lastSeenMs: received, count: 0 };
      out.push(cur);
    }
    cur.newest = e; // sorted: the last one is the newest
    cur.seq = e.seq ?? NO_SEQ;
    cur.firstSeenMs = Math.min(cur.firstSeenMs, received);
    cur.lastSeenMs = Math.max(cur.lastSeenMs, received);
    cur.count += 1;
  }
  return out;
}

/** The sensor-state upsert's array parameters, rendered before any sensor or facility lock is taken. */
interface SensorStateParameters {
  ids: string[];
  arrays: string[];
}

function sensorStateParameters(sensors: readonly SensorSummary[]): SensorStateParameters {
  const ids = sensors.map((x) => x.sensorId);
  return {
    ids,
    arrays: [
      arrayLiteral(ids),
      arrayLiteral(sensors.map((x) => x.newest.ts.getTime())),
      arrayLiteral(sensors.map((x) => x.seq)),
      arrayLiteral(sensors.map((x) => x.newest.occupied)),
      arrayLiteral(sensors.map((x) => toReal(x.newest.battery))),
      arrayLiteral(sensors.map((x) => toReal(x.newest.rssi))),
      arrayLiteral(sensors.map((x) => x.firstSeenMs)),
      arrayLiteral(sensors.map((x) => x.lastSeenMs)),
      arrayLiteral(sensors.map((x) => x.count)),
      arrayLiteral(sensors.map((x) => toReal(x.newest.temperature))),
      arrayLiteral(sensors.map((x) => toReal(x.newest.batteryLevel))),
    ],
  };
}

/**
 * Sensor state: newest `(ts, seq)` wins, counts and last heard add up. For sensors on a spot the
 * counted status is decided here, from the state as it will stand (the spot rule in SQL), and the
 * moves from the old counted status come back summed per facility and category (open spots
 * only), with every facility the batch touched.
 */
async function upsertSensorState(
  trx: Kysely<Database>,
  sensors: SensorStateParameters,
  now: Date,
  staleFactor = DEFAULT_STALE_FACTOR,
): Promise<SensorMoves> {
  const [ids, ts, seq, occupied, battery, rssi, firstSeen, lastSeen, n, temperature, batteryLevel] = sensors.arrays;
  // The rows are locked first, in id order, by a statement of their own: the upsert that follows
  // runs on a snapshot taken after every lock was granted, so it reads what it then changes.
  await sql`
    SELECT count(*) FROM (SELECT 1 FROM sensor_state WHERE sensor_id = ANY(${ids}::text[]) ORDER BY sensor_id FOR UPDATE) AS locked`.execute(
    trx,
  );
  const { rows } = await sql<{
    kind: 'move' | 'touched' | 'recount';
    facility_id: string;
    category: SpotCategory;
    from: CountedStatus;
    to: CountedStatus;
    n: number;
  }>`
    WITH input AS (
      SELECT sensor_id, to_timestamp(ts_ms / 1000) AS ts, seq, occupied, battery, rssi, to_timestamp(first_ms / 1000) AS first_seen,
        to_timestamp(last_ms / 1000) AS last_seen, n, temperature, battery_level
      FROM unnest(${ids}::text[], ${ts}::float8[], ${seq}::bigint[], ${occupied}::boolean[], ${battery}::real[],
        ${rssi}::real[], ${firstSeen}::float8[], ${lastSeen}::float8[], ${n}::int[], ${temperature}::real[], ${batteryLevel}::real[])
        AS t(sensor_id, ts_ms, seq, occupied, battery, rssi, first_ms, last_ms, n, temperature, battery_level)
    ),
    decided AS (
      -- The spot's status once this batch is in: the newest reading wins (as in the upsert),
      -- freshness from the latest arrival; NULL for sensors on no spot (they count nowhere).
      SELECT i.*, sp.facility_id, sp.category, sp.closed, ss.sensor_id IS NOT NULL AS existed,
        coalesce(ss.counted_status, 'unknown') AS old_counted,
        CASE WHEN sp.id IS NOT NULL THEN freiplatz_sensor_status(
          CASE WHEN ss.sensor_id IS NULL OR (i.ts, i.seq) > (ss.ts, ss.seq) THEN i.occupied ELSE ss.occupied END,
          greatest(i.last_seen, ss.last_seen_at), se.heartbeat_interval_seconds, ${now}::timestamptz, ${staleFactor}::float8) END AS counted
      FROM input i
      LEFT JOIN sensors se ON se.id = i.sensor_id
      LEFT JOIN spots sp ON sp.id = se.spot_id
      LEFT JOIN sensor_state ss ON ss.sensor_id = i.sensor_id
    ),
    upsert AS (
      INSERT INTO sensor_state AS s (sensor_id, ts, seq, occupied, battery, rssi, first_seen_at, last_seen_at, event_count,
        temperature, battery_level, state_since, counted_status)
      SELECT sensor_id, ts, seq, occupied, battery, rssi, first_seen, last_seen, n, temperature, battery_level, ts, counted
      FROM decided ORDER BY sensor_id
      ON CONFLICT (sensor_id) DO UPDATE SET
        ts       = CASE WHEN (excluded.ts, excluded.seq) > (s.ts, s.seq) THEN excluded.ts ELSE s.ts END,
        seq      = CASE WHEN (excluded.ts, excluded.seq) > (s.ts, s.seq) THEN excluded.seq ELSE s.seq END,
        occupied = CASE WHEN (excluded.ts, excluded.seq) > (s.ts, s.seq) THEN excluded.occupied ELSE s.occupied END,
        battery  = CASE WHEN (excluded.ts, excluded.seq) > (s.ts, s.seq) THEN coalesce(excluded.battery, s.battery) ELSE s.battery END,
        rssi     = CASE WHEN (excluded.ts, excluded.seq) > (s.ts, s.seq) THEN coalesce(excluded.rssi, s.rssi) ELSE s.rssi END,
        temperature = CASE WHEN (excluded.ts, excluded.seq) > (s.ts, s.seq) THEN coalesce(excluded.temperature, s.temperature) ELSE s.temperature END,
        battery_level = CASE WHEN (excluded.ts, excluded.seq) > (s.ts, s.seq) THEN coalesce(excluded.battery_level, s.battery_level) ELSE s.battery_level END,
        state_since = CASE WHEN (excluded.ts, excluded.seq) > (s.ts, s.seq) AND excluded.occupied IS DISTINCT FROM s.occupied
          THEN excluded.ts ELSE s.state_since END,
        last_seen_at = greatest(s.last_seen_at, excluded.last_seen_at),
        event_count  = s.event_count + excluded.event_count,
        -- Sensors on a spot only; the others keep what they had (they count nowhere).
        counted_status = coalesce(excluded.counted_status, s.counted_status)
      RETURNING sensor_id, event_count
    )
    SELECT 'move' AS kind, facility_id, category, old_counted AS "from", counted AS "to", count(*)::int AS n
    FROM decided WHERE counted IS NOT NULL AND NOT closed AND old_counted <> counted
    GROUP BY facility_id, category, old_counted, counted
    UNION ALL
    SELECT DISTINCT 'touched', facility_id, NULL, NULL, NULL, 0 FROM decided WHERE counted IS NOT NULL
    UNION ALL
    -- A sensor with no row when locked that another commit inserted meanwhile: the row was updated,
    -- not inserted (its count is more than this batch's), and its old status was not 'unknown'.
    SELECT DISTINCT 'recount', d.facility_id, NULL, NULL, NULL, 0
    FROM decided d JOIN upsert u ON u.sensor_id = d.sensor_id
    WHERE d.counted IS NOT NULL AND NOT d.existed AND u.event_count > d.n`.execute(trx);
  const moves: SensorMoves = { changes: [], facilityIds: [], recount: [] };
  for (const r of rows) {
    if (r.kind === 'move') moves.changes.push({ facilityId: r.facility_id, category: r.category, from: r.from, to: r.to, count: r.n });
    else if (r.kind === 'touched') moves.facilityIds.push(r.facility_id);
    else moves.recount.push(r.facility_id);
  }
  return moves;
}

/** What a batch did to its spots: moves between counted statuses, and the facilities concerned. */
interface SensorMoves {
  changes: SpotStatusChange[];
  /** Every facility with a spot whose sensor is in the batch. */
  facilityIds: string[];
  /** Facilities to recount in full instead. */
  recount: string[];
}

const NO_MOVES: SensorMoves = { changes: [], facilityIds: [], recount: [] };
