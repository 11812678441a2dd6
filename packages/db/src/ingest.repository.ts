import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { commitDeviceEvents } from './device-events.repository.js';
import { applySpotStatusChanges } from './facility-deltas.js';
import { lockFacilities, lockSensorsOfFacilities } from './facility-locks.js';
import { notifyFacilityChanges } from './facility-notify.js';
import type { ChangedFacility } from './facility-state-write.js';
import type { BayColumns, IngestBatch } from './ingest-batch.js';
import { insertRejects } from './ingest-rejects.repository.js';
import { boolArray, float4Array, int8Array, textArray, timestamptzArray } from './pg-encoding.js';
import { NO_MOVES, sensorStateParameters, upsertSensorState } from './sensor-state-upsert.js';

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
 * Locks, in the order every writer takes them (facility-locks.ts):
 * 1. The events go in first, with no lock but their own keys.
 * 2. The batch's sensor state rows are locked (sensor id order), by the same statement once its
 *    insert is done (one round trip less per commit: each costs both processes a wake-up). From
 *    then on no other writer changes those sensors, so one statement can upsert them, decide each
 *    spot's counted status in SQL (`sensorStatusSql`, spot-rule.ts) and return only the
 *    old → new moves per facility and category (sensor-state-upsert.ts).
 * 3. Last, the facility state rows (id order), only to add those moves to the stored counts
 *    (`applySpotStatusChanges`) and announce them. Facility counts are sums, so moves of
 *    different sensors commute: commits with disjoint sensors (the parts the batcher splits a
 *    large batch into) overlap in everything but this short step.
 */
export async function commitIngestBatch(db: Kysely<Database>, batch: IngestBatch, now = new Date()): Promise<CommitResult> {
  const { bay } = batch;
  // Sorted input makes concurrent transactions take row locks in the same order (no deadlocks).
  const order = sortedOrder(bay);
  const total = batch.device.length + bay.n;
  return db.transaction().execute(async (trx) => {
    const stored = order.length > 0 ? await insertBayEventsAndLockSensors(trx, bay, order) : [];
    const moves = stored.length > 0 ? await upsertSensorState(trx, sensorStateParameters(bay, stored), now) : NO_MOVES;
    // Counters and device-status reports take their own path.
    const device = await commitDeviceEvents(trx, batch.device);
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
  // The columns travel as binary arrays (pg-encoding.ts): timestamps as PostgreSQL's own
  // microseconds, numbers as their bytes, nothing formatted here or parsed there.
  const { rows } = await sql<{ n: number; keys: Array<[string, number, number]> | null }>`
    WITH ins AS (
      INSERT INTO occupancy_events (sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags, temperature, battery_level)
      SELECT sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags::text[], temperature, battery_level
      FROM unnest(
        ${textArray(order.map((i) => c.sensorId[i]))}::text[], ${timestamptzArray(c.tsMs, order)}::timestamptz[],
        ${int8Array(c.seq, order)}::bigint[], ${timestamptzArray(c.receivedMs, order)}::timestamptz[],
        ${boolArray(c.occupied, order)}::boolean[], ${float4Array(c.battery, order)}::real[],
        ${float4Array(c.rssi, order)}::real[], ${boolArray(c.heartbeat, order)}::boolean[],
        ${textArray(order.map((i) => c.flags[i]))}::text[],
        ${float4Array(c.temperature, order)}::real[], ${float4Array(c.batteryLevel, order)}::real[]
      ) WITH ORDINALITY AS t(sensor_id, ts, seq, received_at, occupied, battery, rssi, heartbeat, flags, temperature, battery_level, ord)
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
        SELECT 1 FROM sensor_state WHERE sensor_id = ANY(${textArray(sensorIds)}::text[]) ORDER BY sensor_id FOR UPDATE) AS l
      )::int AS locked
    FROM counted`.execute(trx);
  const keys = rows[0]?.keys;
  if (keys === null || keys === undefined) return [...order]; // all new
  const key = (sensorId: string, tsMs: number, seq: number) => `${sensorId}\u0000${tsMs}\u0000${seq}`;
  const fresh = new Set(keys.map(([sensorId, tsMs, seq]) => key(sensorId, tsMs, seq)));
  // An event twice in one batch is inserted once: keep its first occurrence only.
  return order.filter((i) => fresh.delete(key(c.sensorId[i] as string, c.tsMs[i] as number, c.seq[i] as number)));
}
