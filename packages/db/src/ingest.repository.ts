import { type BayEvent, computeSpotStatus, type OccupancyEvent, type RejectCode, type SpotCategory } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { commitDeviceEvents } from './device-events.repository.js';
import {
  applySpotStatusChanges,
  type ChangedFacility,
  type CountedStatus,
  lockFacilitiesOfSensors,
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
 * The events go in first, before any lock, so that concurrent batches overlap there; then the
 * facility locks, and facility state is updated from the old → new status of the spots whose
 * sensors changed (migration 0007, `applySpotStatusChanges`), not recounted: the cost follows the
 * batch, not the size of the facilities it touches.
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
    // The facility locks (id order) of every sensor whose state this batch changes: from here on no
    // other transaction changes the state of those facilities' sensors, so what is read next is
    // exactly what this transaction changes.
    const sensorIds = [
      ...new Set([...stored.map((e) => e.sensorId), ...batch.events.filter((e) => e.kind === 'counter').map((e) => e.sensorId)]),
    ];
    const locked = await lockFacilitiesOfSensors(trx, sensorIds);
    const facilityIds: string[] = [];
    const changes: SpotStatusChange[] = [];
    if (stored.length > 0) {
      const sensors = summariseBySensor(stored);
      const spots = await readSpotSensors(
        trx,
        sensors.map((x) => x.sensorId),
      );
      // What each sensor's spot shows once this batch is in: the newest reading wins (as in the
      // upsert), freshness from the latest arrival. The same status is stored as the sensor's
      // counted status and enters the facility deltas, so the two always agree.
      for (const x of sensors) {
        const spot = spots.get(x.sensorId);
        if (spot === undefined) continue; // not on a spot: counts nowhere
        const newer = spot.tsMs === null || x.tsMs > spot.tsMs || (x.tsMs === spot.tsMs && x.seq > Number(spot.seq));
        const occupied = newer ? x.newest.occupied : spot.occupied;
        const lastSeen = Math.max(x.lastSeenMs, spot.lastSeenMs ?? 0);
        const status = computeSpotStatus(
          {
            sensor: { heartbeatIntervalSeconds: spot.heartbeatSeconds },
            state: occupied === null ? null : { occupied, lastSeenAt: new Date(lastSeen) },
          },
          now,
        );
        x.counted = status === 'closed' ? 'unknown' : status;
        facilityIds.push(spot.facilityId);
        const from = spot.counted ?? 'unknown';
        if (!spot.closed && from !== x.counted) changes.push({ facilityId: spot.facilityId, category: spot.category, from, to: x.counted });
      }
      await upsertSensorState(trx, sensors);
    }
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
    // Touched facilities without a state row yet, and counted facilities, are recounted in full.
    const recount = [...new Set(facilityIds.filter((id) => !locked.has(id))), ...device.facilityIds];
    const changedFacilities = await applySpotStatusChanges(trx, locked, changes, recount, now);
    await notifyFacilityChanges(trx, changedFacilities);
    inserted += stored.length;
    return { inserted, duplicates: batch.events.length - inserted, rejected: batch.rejects.length, changedFacilities };
  });
}

interface SpotSensor {
  facilityId: string;
  category: SpotCategory;
  closed: boolean;
  heartbeatSeconds: number;
  /** The sensor's state before this batch (null: never heard); times in epoch milliseconds. */
  tsMs: number | null;
  seq: string | null;
  occupied: boolean | null;
  lastSeenMs: number | null;
  counted: CountedStatus | null;
}

/** Registered sensors on spots, with their spot and their state as it stands (read under the facility locks). */
async function readSpotSensors(trx: Kysely<Database>, sensorIds: readonly string[]): Promise<Map<string, SpotSensor>> {
  const { rows } = await sql<{
    id: string;
    facility_id: string;
    category: SpotCategory;
    closed: boolean;
    heartbeat_seconds: number;
    ts_ms: number | null;
    seq: string | null;
    occupied: boolean | null;
    last_seen_ms: number | null;
    counted_status: CountedStatus | null;
  }>`
    SELECT se.id, sp.facility_id, sp.category, sp.closed, se.heartbeat_interval_seconds AS heartbeat_seconds,
      -- Epoch milliseconds (times are stored at millisecond precision): cheaper to read than dates.
      (extract(epoch FROM ss.ts) * 1000)::float8 AS ts_ms, ss.seq, ss.occupied,
      (extract(epoch FROM ss.last_seen_at) * 1000)::float8 AS last_seen_ms, ss.counted_status
    FROM sensors se
    JOIN spots sp ON sp.id = se.spot_id
    LEFT JOIN sensor_state ss ON ss.sensor_id = se.id
    WHERE se.id = ANY(${arrayLiteral(sensorIds)}::text[])`.execute(trx);
  return new Map(
    rows.map((r) => [
      r.id,
      {
        facilityId: r.facility_id,
        category: r.category,
        closed: r.closed,
        heartbeatSeconds: r.heartbeat_seconds,
        tsMs: r.ts_ms,
        seq: r.seq,
        occupied: r.occupied,
        lastSeenMs: r.last_seen_ms,
        counted: r.counted_status,
      },
    ]),
  );
}

/** Inserts bay events, duplicates ignored; returns the events that were new, in input order. */
async function insertBayEvents(trx: Kysely<Database>, events: readonly BayEvent[]): Promise<BayEvent[]> {
  const { rows } = await sql<{ i: number }>`
    INSERT INTO occupancy_events (sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags, temperature, battery_level)
    SELECT sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags::text[], temperature, battery_level
    FROM unnest(
      ${arrayLiteral(events.map((e) => e.sensorId))}::text[], ${arrayLiteral(events.map((e) => e.ts.toISOString()))}::timestamptz[],
      ${arrayLiteral(events.map((e) => e.seq ?? NO_SEQ))}::bigint[], ${arrayLiteral(events.map((e) => e.receivedAt.toISOString()))}::timestamptz[],
      ${arrayLiteral(events.map((e) => e.occupied))}::boolean[], ${arrayLiteral(events.map((e) => toReal(e.battery)))}::real[],
      ${arrayLiteral(events.map((e) => toReal(e.rssi)))}::real[], ${arrayLiteral(events.map((e) => e.heartbeat))}::boolean[],
      ${arrayLiteral(events.map((e) => `{${e.flags.join(',')}}`))}::text[],
      ${arrayLiteral(events.map((e) => toReal(e.temperature)))}::real[], ${arrayLiteral(events.map((e) => toReal(e.batteryLevel)))}::real[]
    ) WITH ORDINALITY AS t(sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags, temperature, battery_level, ord)
    ORDER BY ord
    ON CONFLICT (sensor_id, ts, seq) DO NOTHING
    RETURNING sensor_id, (extract(epoch FROM ts) * 1000)::float8 AS ts_ms, seq::float8 AS seq`.execute(trx);
  if (rows.length === events.length) return [...events];
  const key = (sensorId: string, tsMs: number, seq: number) => `${sensorId}\u0000${tsMs}\u0000${seq}`;
  const fresh = new Set(
    (rows as unknown as Array<{ sensor_id: string; ts_ms: number; seq: number }>).map((r) => key(r.sensor_id, r.ts_ms, r.seq)),
  );
  // An event twice in one batch is inserted once: keep its first occurrence only.
  return events.filter((e) => fresh.delete(key(e.sensorId, e.ts.getTime(), e.seq ?? NO_SEQ)));
}

/** One sensor's share of a batch: its newest reading and when it was heard. */
interface SensorSummary {
  sensorId: string;
  newest: BayEvent;
  tsMs: number;
  seq: number;
  firstSeenMs: number;
  lastSeenMs: number;
  count: number;
  /** Set for sensors on a spot: the status it contributes from now on. */
  counted: CountedStatus | null;
}

/** Groups stored events (sorted by sensor, ts, seq) per sensor, as the upsert wants them. */
function summariseBySensor(events: readonly BayEvent[]): SensorSummary[] {
  const out: SensorSummary[] = [];
  let cur: SensorSummary | undefined;
  for (const e of events) {
    const received = e.receivedAt.getTime();
    if (cur === undefined || cur.sensorId !== e.sensorId) {
      cur = { sensorId: e.sensorId, newest: e, tsMs: 0, seq: 0, firstSeenMs: received, lastSeenMs: received, count: 0, counted: null };
      out.push(cur);
    }
    cur.newest = e; // sorted: the last one is the newest
    cur.tsMs = e.ts.getTime();
    cur.seq = e.seq ?? NO_SEQ;
    cur.firstSeenMs = Math.min(cur.firstSeenMs, received);
    cur.lastSeenMs = Math.max(cur.lastSeenMs, received);
    cur.count += 1;
  }
  return out;
}

/** Sensor state: newest `(ts, seq)` wins, counts and last heard add up, counted status as decided. */
async function upsertSensorState(trx: Kysely<Database>, sensors: readonly SensorSummary[]): Promise<void> {
  await sql`
    INSERT INTO sensor_state AS s (sensor_id, ts, seq, occupied, battery, rssi, first_seen_at, last_seen_at, event_count,
      temperature, battery_level, state_since, counted_status)
    SELECT sensor_id, ts, seq, occupied, battery, rssi, first_seen, last_seen, n, temperature, battery_level, ts, counted
    FROM unnest(
      ${arrayLiteral(sensors.map((x) => x.sensorId))}::text[], ${arrayLiteral(sensors.map((x) => x.newest.ts.toISOString()))}::timestamptz[],
      ${arrayLiteral(sensors.map((x) => x.seq))}::bigint[], ${arrayLiteral(sensors.map((x) => x.newest.occupied))}::boolean[],
      ${arrayLiteral(sensors.map((x) => toReal(x.newest.battery)))}::real[], ${arrayLiteral(sensors.map((x) => toReal(x.newest.rssi)))}::real[],
      ${arrayLiteral(sensors.map((x) => new Date(x.firstSeenMs).toISOString()))}::timestamptz[],
      ${arrayLiteral(sensors.map((x) => new Date(x.lastSeenMs).toISOString()))}::timestamptz[], ${arrayLiteral(sensors.map((x) => x.count))}::int[],
      ${arrayLiteral(sensors.map((x) => toReal(x.newest.temperature)))}::real[], ${arrayLiteral(sensors.map((x) => toReal(x.newest.batteryLevel)))}::real[],
      ${arrayLiteral(sensors.map((x) => x.counted))}::text[]
    ) AS t(sensor_id, ts, seq, occupied, battery, rssi, first_seen, last_seen, n, temperature, battery_level, counted)
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
      counted_status = coalesce(excluded.counted_status, s.counted_status)`.execute(trx);
}
