import type { BayEvent, OccupancyEvent, RejectCode } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { commitDeviceEvents } from './device-events.repository.js';
import { type ChangedFacility, notifyFacilityChanges, refreshFacilityState } from './facility-state.repository.js';
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
 */
export async function commitIngestBatch(db: Kysely<Database>, batch: IngestBatch, now = new Date()): Promise<CommitResult> {
  // Sorted input makes concurrent workers take row locks in the same order (no deadlocks).
  // Bay events take this path; counters and device-status reports are committed by commitDeviceEvents.
  const events = batch.events
    .filter((e): e is BayEvent => e.kind === 'bay')
    .sort((a, b) =>
      a.sensorId < b.sensorId ? -1 : a.sensorId > b.sensorId ? 1 : a.ts.getTime() - b.ts.getTime() || (a.seq ?? NO_SEQ) - (b.seq ?? NO_SEQ),
    );
  return db.transaction().execute(async (trx) => {
    let inserted = 0;
    let facilityIds: string[] = [];
    if (events.length > 0) {
      const touched = await sql<{ inserted: number; facility_ids: string[] | null }>`
        WITH input AS (
          SELECT * FROM unnest(
            ${events.map((e) => e.sensorId)}::text[], ${events.map((e) => e.ts)}::timestamptz[],
            ${events.map((e) => e.seq ?? NO_SEQ)}::bigint[], ${events.map((e) => e.receivedAt)}::timestamptz[],
            ${events.map((e) => e.occupied)}::boolean[], ${events.map((e) => toReal(e.battery))}::real[],
            ${events.map((e) => toReal(e.rssi))}::real[], ${events.map((e) => e.heartbeat)}::boolean[],
            ${events.map((e) => `{${e.flags.join(',')}}`)}::text[],
            ${events.map((e) => toReal(e.temperature))}::real[], ${events.map((e) => toReal(e.batteryLevel))}::real[]
          ) WITH ORDINALITY AS t(sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags, temperature, battery_level, ord)
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
            temperature, battery_level, state_since)
          SELECT sensor_id, ts, seq, occupied, battery, rssi, first_seen, last_seen, n, temperature, battery_level, ts
          FROM newest ORDER BY sensor_id
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
            event_count  = s.event_count + excluded.event_count
          RETURNING sensor_id
        )
        SELECT (SELECT count(*)::int FROM ins) AS inserted,
          (SELECT array_agg(DISTINCT sp.facility_id) FROM upsert u
             JOIN sensors se ON se.id = u.sensor_id JOIN spots sp ON sp.id = se.spot_id) AS facility_ids`.execute(trx);
      inserted = touched.rows[0]?.inserted ?? 0;
      facilityIds = touched.rows[0]?.facility_ids ?? [];
    }
    const device = await commitDeviceEvents(trx, batch.events);
    inserted += device.inserted;
    facilityIds = [...(facilityIds ?? []), ...device.facilityIds];
    if (batch.rejects.length > 0) {
      const r = batch.rejects;
      await sql`
        INSERT INTO ingest_rejects (topic, payload, code, reason, received_at)
        SELECT * FROM unnest(${r.map((x) => toText(x.topic))}::text[], ${r.map((x) => Buffer.from(x.payload))}::bytea[],
          ${r.map((x) => x.code)}::text[], ${r.map((x) => toText(x.reason))}::text[], ${r.map((x) => x.receivedAt)}::timestamptz[])`.execute(
        trx,
      );
    }
    const changedFacilities = await refreshFacilityState(trx, facilityIds, now);
    await notifyFacilityChanges(trx, changedFacilities);
    return { inserted, duplicates: batch.events.length - inserted, rejected: batch.rejects.length, changedFacilities };
  });
}
