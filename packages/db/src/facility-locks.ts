// Row locks of the write path, in the order every writer takes them (no deadlocks): the state rows
// of sensors first, then the state rows of facilities, each in id order. An ingest commit locks
// its own sensors in its events insert (ingest.repository.ts), the others through these helpers.
import type { Counts, SpotCategory } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { type FacilityPolicy, type PolicyRow, policyColumns, toFacilityPolicy } from './facility-policy.js';
import { textArray } from './pg-encoding.js';

/** A facility's state as locked by `lockFacilities`. */
export interface LockedFacility {
  policy: FacilityPolicy;
  byCategory: Partial<Record<SpotCategory, Counts>>;
  /** Counted by entry/exit counters: never updated incrementally. */
  counted: boolean;
}

/** Locks the state rows of the sensors on the given facilities' spots, in sensor id order. */
export async function lockSensorsOfFacilities(trx: Kysely<Database>, facilityIds: readonly string[]): Promise<void> {
  if (facilityIds.length === 0) return;
  await sql`
    SELECT count(*) FROM (
      SELECT 1 FROM sensor_state ss JOIN sensors se ON se.id = ss.sensor_id JOIN spots sp ON sp.id = se.spot_id
      WHERE sp.facility_id = ANY(${textArray([...new Set(facilityIds)])}::text[])
      ORDER BY ss.sensor_id FOR UPDATE OF ss) AS locked`.execute(trx);
}

/** Locks the state rows of the given facilities (sorted ids, no duplicates), in id order, reading nothing. */
export async function lockFacilityStateRows(trx: Kysely<Database>, sortedIds: readonly string[]): Promise<void> {
  await sql`SELECT facility_id FROM facility_state WHERE facility_id = ANY(${sortedIds}::text[]) ORDER BY facility_id FOR UPDATE`.execute(
    trx,
  );
}

/**
 * Locks, in id order, the state rows of the given facilities and returns them. An ingest commit
 * takes these last, after its sensor state rows, and holds them only for writing its deltas.
 */
export async function lockFacilities(trx: Kysely<Database>, facilityIds: readonly string[]): Promise<Map<string, LockedFacility>> {
  const locked = new Map<string, LockedFacility>();
  if (facilityIds.length === 0) return locked;
  const { rows } = await sql<
    PolicyRow & {
      facility_id: string;
      by_category: Partial<Record<SpotCategory, Counts>>;
      counted: boolean;
    }
  >`
    SELECT l.facility_id, l.by_category, ${policyColumns('f')}, f.capacity IS NOT NULL AS counted
    FROM (
      SELECT fs.facility_id, fs.by_category FROM facility_state fs
      WHERE fs.facility_id = ANY(${textArray([...new Set(facilityIds)])}::text[])
      ORDER BY fs.facility_id
      FOR UPDATE
    ) AS l
    -- One index lookup per locked row (a batch touches a few of the city's facilities). As a plain
    -- join (or a LATERAL that the planner may flatten into one: OFFSET 0 keeps it apart) the plan
    -- hashes every facility of the city, ~3 times the whole statement's time at 2,000 of them.
    CROSS JOIN LATERAL (SELECT almost_full_threshold, min_known_share, opening_hours, time_zone, capacity
      FROM facilities WHERE id = l.facility_id OFFSET 0) AS f`.execute(trx);
  for (const r of rows) locked.set(r.facility_id, { policy: toFacilityPolicy(r), byCategory: r.by_category, counted: r.counted });
  return locked;
}
