import { type BayEvent, DEFAULT_STALE_FACTOR, type OccupancyEvent, type SpotCategory } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import { type BayColumns, booleanArrayLiteral, numberArrayLiteral, toBayColumns } from './bay-columns.js';
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
import { insertRejects, type Reject } from './ingest-rejects.repository.js';
import { arrayLiteral } from './real.js';

export interface IngestBatch {
  events: readonly OccupancyEvent[];
  /**
   * Bay events in columns (`toBayColumns`), as the ingest worker's commit thread gets them; `events`
   * then holds no bay events.
   */
  bay?: BayColumns;
  rejects: readonly Reject[];
}

export interface CommitResult {
  inserted: number;
  duplicates: number;
  rejected: number;
  changedFacilities: ChangedFacility[];
}

/**
 * Commits one batch in one transaction: events (duplicates ignored), sensor state (newest `ts`
 * wins), facility state with its version, dead letters, and a NOTIFY that fires on commit.
 *
 * Locks, in the order every writer takes them (see `refreshFacilityState`):
 * 1. The events go in first, with no lock but their own keys.
 * 2. The batch's sensor state rows are locked (sensor id order), by the same statement once its
 *    insert is done (one round trip less per commit: each costs both processes a wake-up). From
 *    then on no other writer changes those sensors, so one statement can upsert them, decide each
 *    spot's counted status in SQL (`freiplatz_sensor_status`, migration 0007) and return only the
 *    old → new moves per facility and category.
 * 3. Last, the facility state rows (id order), only to add those moves to the stored counts
 *    (`applySpotStatusChanges`) and announce them. Facility counts are sums, so moves of
 *    different sensors commute: commits with disjoint sensors (the parts the batcher splits a
 *    large batch into) overlap in everything but this short step.
 */
export async function commitIngestBatch(db: Kysely<Database>, batch: IngestBatch, now = new Date()): Promise<CommitResult> {
  // Bay events take this path; counters and device-status reports are committed by commitDeviceEvents.
  const bayEvents = batch.events.filter((e): e is BayEvent => e.kind === 'bay');
  if (batch.bay !== undefined && bayEvents.length > 0) throw new Error('an ingest batch holds bay events either in `bay` or in `events`');
  const bay = batch.bay ?? toBayColumns(bayEvents);
  // Sorted input makes concurrent transactions take row locks in the same order (no deadlocks).
  const order = sortedOrder(bay);
  const total = batch.events.length + (batch.bay?.n ?? 0);
  return db.transaction().execute(async (trx) => {
    const stored = order.length > 0 ? await insertBayEventsAndLockSensors(trx, bay, order) : [];
    const moves =
      stored.length > 0 ? await upsertSensorState(trx, sensorStateParameters(bay, summariseBySensor(bay, stored)), now) : NO_MOVES;
    const device = await commitDeviceEvents(trx, batch.events);
    let inserted = device.inserted;
    await insertRejects(trx, batch.rejects);
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
    return { inserted, duplicates: total - inserted, rejected: batch.rejects.length, changedFacilities };
  });
}

/** Indices of the bay events sorted by sensor, then `ts`, then `seq`. */
function sortedOrder(c: BayColumns): number[] {
  const order = Array.from({ length: c.n }, (_, i) => i);
  const { sensorId, tsMs, seq } = c;
  return order.sort((a, b) => {
    const sa = sensorId[a] as string;
    const sb = sensorId[b] as string;
    return sa < sb ? -1 : sa > sb ? 1 : (tsMs[a] as number) - (tsMs[b] as number) || (seq[a] as number) - (seq[b] as number);
  });
}

/**
 * Inserts the bay events at `order` (sorted by sensor), duplicates ignored, then locks the state
 * rows of their sensors in id order; returns the indices of the events that were new, in order.
 */
async function insertBayEventsAndLockSensors(trx: Kysely<Database>, c: BayColumns, order: readonly number[]): Promise<number[]> {
  const sensorIds: string[] = [];
  for (const i of order) if (sensorIds[sensorIds.length - 1] !== c.sensorId[i]) sensorIds.push(c.sensorId[i] as string);
  // One row back, not one per event: the count, and the stored keys only when some were duplicates.
  // Timestamps travel as epoch milliseconds: `to_timestamp` turns them into the same instants
  // (rounded to the microsecond, exact for milliseconds) for less than PostgreSQL's parsing of ISO
  // text, and they are in the columns as numbers already.
  const { rows } = await sql<{ n: number; keys: Array<[string, number, number]> | null }>`
    WITH ins AS (
      INSERT INTO occupancy_events (sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags, temperature, battery_level)
      SELECT sensor_id, to_timestamp(ts_ms / 1000), seq, to_timestamp(received_ms / 1000), occupied, battery, rssi, heartbeat,
        flags::text[], temperature, battery_level
      FROM unnest(
        ${arrayLiteral(order.map((i) => c.sensorId[i]))}::text[], ${numberArrayLiteral(c.tsMs, order)}::float8[],
        ${numberArrayLiteral(c.seq, order)}::bigint[], ${numberArrayLiteral(c.receivedMs, order)}::float8[],
        ${booleanArrayLiteral(c.occupied, order)}::boolean[], ${numberArrayLiteral(c.battery, order)}::real[],
        ${numberArrayLiteral(c.rssi, order)}::real[], ${booleanArrayLiteral(c.heartbeat, order)}::boolean[],
        ${arrayLiteral(order.map((i) => c.flags[i]))}::text[],
        ${numberArrayLiteral(c.temperature, order)}::real[], ${numberArrayLiteral(c.batteryLevel, order)}::real[]
      ) WITH ORDINALITY AS t(sensor_id, ts_ms, seq, received_ms, occupied, battery, rssi, heartbeat, flags, temperature, battery_level, ord)
      ORDER BY ord
      ON CONFLICT (sensor_id, ts, seq) DO NOTHING
      RETURNING sensor_id, ts, seq
    ),
    counted AS (SELECT count(*)::int AS n FROM ins)
    SELECT n, CASE WHEN n < ${order.length}::int
      THEN (SELECT coalesce(json_agg(json_build_array(sensor_id, (extract(epoch FROM ts) * 1000)::float8, seq::float8)), '[]') FROM ins) END AS keys,
      -- The lock, in the result row: computed once "counted" has read the whole insert. The upsert
      -- that follows is a statement of its own, so its snapshot is taken after every lock was granted
      -- and it reads what it then changes. (Sensors whose events were all duplicates are locked too.)
      (SELECT count(*) FROM (
        SELECT 1 FROM sensor_state WHERE sensor_id = ANY(${arrayLiteral(sensorIds)}::text[]) ORDER BY sensor_id FOR UPDATE) AS l
      )::int AS locked
    FROM counted`.execute(trx);
  const keys = rows[0]?.keys;
  if (keys === null || keys === undefined) return [...order]; // all new
  const key = (sensorId: string, tsMs: number, seq: number) => `${sensorId}\u0000${tsMs}\u0000${seq}`;
  const fresh = new Set(keys.map(([sensorId, tsMs, seq]) => key(sensorId, tsMs, seq)));
  // An event twice in one batch is inserted once: keep its first occurrence only.
  return order.filter((i) => fresh.delete(key(c.sensorId[i] as string, c.tsMs[i] as number, c.seq[i] as number)));
}

/** One sensor's share of a batch: its newest reading (an index into the columns) and when it was heard. */
interface SensorSummary {
  sensorId: string;
  newest: number;
  firstSeenMs: number;
  lastSeenMs: number;
  count: number;
}

/** Groups stored events (indices, sorted by sensor, ts, seq) per sensor, as the upsert wants them. */
function summariseBySensor(c: BayColumns, stored: readonly number[]): SensorSummary[] {
  const out: SensorSummary[] = [];
  let cur: SensorSummary | undefined;
  for (const i of stored) {
    const received = c.receivedMs[i] as number;
    if (cur === undefined || cur.sensorId !== c.sensorId[i]) {
      cur = { sensorId: c.sensorId[i] as string, newest: i, firstSeenMs: received, lastSeenMs: received, count: 0 };
      out.push(cur);
    }
    cur.newest = i; // sorted: the last one is the newest
    cur.firstSeenMs = Math.min(cur.firstSeenMs, received);
    cur.lastSeenMs = Math.max(cur.lastSeenMs, received);
    cur.count += 1;
  }
  return out;
}

/** The sensor-state upsert's array parameters, rendered as literals. */
interface SensorStateParameters {
  arrays: string[];
}

function sensorStateParameters(c: BayColumns, sensors: readonly SensorSummary[]): SensorStateParameters {
  const newest = sensors.map((x) => x.newest);
  return {
    arrays: [
      arrayLiteral(sensors.map((x) => x.sensorId)),
      numberArrayLiteral(c.tsMs, newest),
      numberArrayLiteral(c.seq, newest),
      booleanArrayLiteral(c.occupied, newest),
      numberArrayLiteral(c.battery, newest),
      numberArrayLiteral(c.rssi, newest),
      arrayLiteral(sensors.map((x) => x.firstSeenMs)),
      arrayLiteral(sensors.map((x) => x.lastSeenMs)),
      arrayLiteral(sensors.map((x) => x.count)),
      numberArrayLiteral(c.temperature, newest),
      numberArrayLiteral(c.batteryLevel, newest),
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
  // The rows were locked, in id order, by the events insert (insertBayEventsAndLockSensors).
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
