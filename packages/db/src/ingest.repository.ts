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
import { toReal, toText } from './real.js';

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
 * Facility state is updated from the old → new status of the spots whose sensors changed (see
 * migration 0007 and `applySpotStatusChanges`), not recounted: the cost follows the batch, not the
 * size of the facilities it touches.
 */
export async function commitIngestBatch(db: Kysely<Database>, batch: IngestBatch, now = new Date()): Promise<CommitResult> {
  // Sorted input makes concurrent workers take row locks in the same order (no deadlocks).
  // Bay events take this path; counters and device-status reports are committed by commitDeviceEvents.
  const events = batch.events
    .filter((e): e is BayEvent => e.kind === 'bay')
    .sort((a, b) =>
      a.sensorId < b.sensorId ? -1 : a.sensorId > b.sensorId ? 1 : a.ts.getTime() - b.ts.getTime() || (a.seq ?? NO_SEQ) - (b.seq ?? NO_SEQ),
    );
  const sensorIds = [...new Set(batch.events.filter((e) => e.kind !== 'status').map((e) => e.sensorId))];
  return db.transaction().execute(async (trx) => {
    // First the facility locks (id order): from here on no other worker changes the state of the
    // sensors of these facilities, so what is read next is what this transaction changes.
    const locked = await lockFacilitiesOfSensors(trx, sensorIds);
    let inserted = 0;
    const facilityIds: string[] = [];
    const changes: SpotStatusChange[] = [];
    if (events.length > 0) {
      const spots = await readSpotSensors(trx, [...new Set(events.map((e) => e.sensorId))]);
      // What each sensor's spot shows once this batch is in: the newest reading wins (as in the
      // upsert below), freshness from the latest arrival. The same status is stored as the
      // sensor's counted status and enters the facility deltas, so the two always agree.
      const counted = new Map<string, CountedStatus>();
      for (let i = 0; i < events.length; i++) {
        const e = events[i] as BayEvent;
        const next = events[i + 1];
        if (next !== undefined && next.sensorId === e.sensorId) continue; // events are sorted: the last of a sensor is its newest
        const spot = spots.get(e.sensorId);
        if (spot === undefined) continue;
        let lastSeen = e.receivedAt.getTime();
        for (let j = i - 1; j >= 0 && (events[j] as BayEvent).sensorId === e.sensorId; j--)
          lastSeen = Math.max(lastSeen, (events[j] as BayEvent).receivedAt.getTime());
        const ts = e.ts.getTime();
        const newer = spot.tsMs === null || ts > spot.tsMs || (ts === spot.tsMs && (e.seq ?? NO_SEQ) > Number(spot.seq));
        const occupied = newer ? e.occupied : spot.occupied;
        if (spot.lastSeenMs !== null) lastSeen = Math.max(lastSeen, spot.lastSeenMs);
        const status = computeSpotStatus(
          {
            sensor: { heartbeatIntervalSeconds: spot.heartbeatSeconds },
            state: occupied === null ? null : { occupied, lastSeenAt: new Date(lastSeen) },
          },
          now,
        );
        counted.set(e.sensorId, status === 'closed' ? 'unknown' : status);
      }
      const touched = await sql<{ inserted: number; upserted: string[] | null }>`
        WITH input AS (
          SELECT * FROM unnest(
            ${events.map((e) => e.sensorId)}::text[], ${events.map((e) => e.ts.toISOString())}::timestamptz[],
            ${events.map((e) => e.seq ?? NO_SEQ)}::bigint[], ${events.map((e) => e.receivedAt.toISOString())}::timestamptz[],
            ${events.map((e) => e.occupied)}::boolean[], ${events.map((e) => toReal(e.battery))}::real[],
            ${events.map((e) => toReal(e.rssi))}::real[], ${events.map((e) => e.heartbeat)}::boolean[],
            ${events.map((e) => `{${e.flags.join(',')}}`)}::text[],
            ${events.map((e) => toReal(e.temperature))}::real[], ${events.map((e) => toReal(e.batteryLevel))}::real[]
          ) WITH ORDINALITY AS t(sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags, temperature, battery_level, ord)
        ),
        counted AS (
          SELECT * FROM unnest(${[...counted.keys()]}::text[], ${[...counted.values()]}::text[]) AS c(sensor_id, status)
        ),
        ins AS (
          INSERT INTO occupancy_events (sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags, temperature, battery_level)
          SELECT sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags::text[], temperature, battery_level FROM input ORDER BY ord
          ON CONFLICT (sensor_id, ts, seq) DO NOTHING
          RETURNING *
        ),
        newest AS (
          SELECT DISTINCT ON (sensor_id) sensor_id, ts, seq, occupied, battery, rssi, temperature, battery_level,
            min(received_at) OVER w AS first_seen, max(received_at) OVER w AS last_seen, count(*) OVER w AS n
          FROM ins
          WINDOW w AS (PARTITION BY sensor_id)
          ORDER BY sensor_id, ts DESC, seq DESC
        ),
        upsert AS (
          INSERT INTO sensor_state AS s (sensor_id, ts, seq, occupied, battery, rssi, first_seen_at, last_seen_at, event_count,
            temperature, battery_level, state_since, counted_status)
          SELECT n.sensor_id, n.ts, n.seq, n.occupied, n.battery, n.rssi, n.first_seen, n.last_seen, n.n, n.temperature, n.battery_level, n.ts, c.status
          FROM newest n LEFT JOIN counted c ON c.sensor_id = n.sensor_id ORDER BY n.sensor_id
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
            -- Registered sensors only; unregistered ones keep NULL (they count nowhere).
            counted_status = coalesce(excluded.counted_status, s.counted_status)
          RETURNING sensor_id
        )
        SELECT (SELECT count(*)::int FROM ins) AS inserted, (SELECT array_agg(sensor_id) FROM upsert) AS upserted`.execute(trx);
      inserted = touched.rows[0]?.inserted ?? 0;
      // Only sensors whose state this statement changed move their spot (a batch of duplicates moves nothing).
      for (const sensorId of touched.rows[0]?.upserted ?? []) {
        const spot = spots.get(sensorId);
        const to = counted.get(sensorId);
        if (spot === undefined || to === undefined) continue;
        facilityIds.push(spot.facilityId);
        const from = spot.counted ?? 'unknown';
        if (!spot.closed && from !== to) changes.push({ facilityId: spot.facilityId, category: spot.category, from, to });
      }
    }
    const device = await commitDeviceEvents(trx, batch.events);
    inserted += device.inserted;
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
    WHERE se.id = ANY(${sensorIds}::text[])`.execute(trx);
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
