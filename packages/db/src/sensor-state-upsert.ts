import type { SpotCategory } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import type { CountedStatus, SpotStatusChange } from './facility-deltas.js';
import type { BayColumns } from './ingest-batch.js';
import { boolArray, float4Array, int4Array, int8Array, textArray, timestamptzArray } from './pg-encoding.js';
import { sensorStatusSql } from './spot-rule.js';

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

/** The sensor-state upsert's parameters, one binary array per column (pg-encoding.ts), one element per sensor. */
export interface SensorStateParameters {
  sensorIds: Buffer;
  ts: Buffer;
  seq: Buffer;
  occupied: Buffer;
  battery: Buffer;
  rssi: Buffer;
  firstSeen: Buffer;
  lastSeen: Buffer;
  eventCount: Buffer;
  temperature: Buffer;
  batteryLevel: Buffer;
}

/** The upsert's parameters for the stored events of a batch, summarised per sensor. */
export function sensorStateParameters(c: BayColumns, stored: readonly number[]): SensorStateParameters {
  const sensors = summariseBySensor(c, stored);
  const newest = sensors.map((x) => x.newest);
  return {
    sensorIds: textArray(sensors.map((x) => x.sensorId)),
    ts: timestamptzArray(c.tsMs, newest),
    seq: int8Array(c.seq, newest),
    occupied: boolArray(c.occupied, newest),
    battery: float4Array(c.battery, newest),
    rssi: float4Array(c.rssi, newest),
    firstSeen: timestamptzArray(sensors.map((x) => x.firstSeenMs)),
    lastSeen: timestamptzArray(sensors.map((x) => x.lastSeenMs)),
    eventCount: int4Array(sensors.map((x) => x.count)),
    temperature: float4Array(c.temperature, newest),
    batteryLevel: float4Array(c.batteryLevel, newest),
  };
}

/**
 * Sensor state: newest `(ts, seq)` wins, counts and last heard add up. For sensors on a spot the
 * counted status is decided here, from the state as it will stand (the spot rule in SQL), and the
 * moves from the old counted status come back summed per facility and category (open spots
 * only), with every facility the batch touched.
 */
export async function upsertSensorState(trx: Kysely<Database>, p: SensorStateParameters, now: Date): Promise<SensorMoves> {
  // The rows were locked, in id order, by the events insert (insertBayEventsAndLockSensors).
  // The newest reading wins (as in the upsert), freshness from the latest arrival.
  const counted = sensorStatusSql(
    sql`CASE WHEN ss.sensor_id IS NULL OR (i.ts, i.seq) > (ss.ts, ss.seq) THEN i.occupied ELSE ss.occupied END`,
    sql`greatest(i.last_seen, ss.last_seen_at)`,
    sql.ref('se.heartbeat_interval_seconds'),
    now,
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
      SELECT * FROM unnest(${p.sensorIds}::text[], ${p.ts}::timestamptz[], ${p.seq}::bigint[], ${p.occupied}::boolean[],
        ${p.battery}::real[], ${p.rssi}::real[], ${p.firstSeen}::timestamptz[], ${p.lastSeen}::timestamptz[], ${p.eventCount}::int[],
        ${p.temperature}::real[], ${p.batteryLevel}::real[])
        AS t(sensor_id, ts, seq, occupied, battery, rssi, first_seen, last_seen, n, temperature, battery_level)
    ),
    decided AS (
      -- The spot's status once this batch is in; NULL for sensors on no spot (they count nowhere).
      SELECT i.*, sp.facility_id, sp.category, sp.closed, ss.sensor_id IS NOT NULL AS existed,
        coalesce(ss.counted_status, 'unknown') AS old_counted,
        CASE WHEN sp.id IS NOT NULL THEN ${counted} END AS counted
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
export interface SensorMoves {
  changes: SpotStatusChange[];
  /** Every facility with a spot whose sensor is in the batch. */
  facilityIds: string[];
  /** Facilities to recount in full instead. */
  recount: string[];
}

export const NO_MOVES: SensorMoves = { changes: [], facilityIds: [], recount: [] };
