import type { CategoryAvailability, CategoryCounts, FacilityStatus, SpotCategory } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import type { FacilityStateRecord } from './facilities.repository.js';
import { decideAvailability, type FacilityPolicy } from './facility-policy.js';

export interface ChangedFacility {
  facilityId: string;
  version: number;
  /** The state as committed: announced with the change, so listeners need not read it back. */
  state?: FacilityStateRecord;
}

/** A facility's counts by category and its policy, ready to be summarised and written. */
export interface FacilityCounts {
  policy: FacilityPolicy;
  categories: CategoryCounts[];
}

interface WrittenRow {
  facility_id: string;
  version: number;
  capacity: number;
  free: number;
  occupied: number;
  unknown: number;
  closed: number;
  by_category: Partial<Record<SpotCategory, CategoryAvailability>>;
  status: FacilityStatus;
  confidence: number;
  open_now: boolean | null;
  hours_change_at: Date | null;
  updated_at: Date;
}

/**
 * Writes summarised counts (from the full recount or the deltas), bumping `version` only where
 * something changed, and records history; returns the changed facilities with their new state.
 */
export async function writeFacilityStates(
  trx: Kysely<Database>,
  perFacility: ReadonlyMap<string, FacilityCounts>,
  now: Date,
): Promise<ChangedFacility[]> {
  if (perFacility.size === 0) return [];
  const cols = {
    id: [] as string[],
    capacity: [] as number[],
    free: [] as number[],
    occupied: [] as number[],
    unknown: [] as number[],
    closed: [] as number[],
    byCategory: [] as string[],
    status: [] as string[],
    confidence: [] as number[],
    openNow: [] as (boolean | null)[],
    hoursChangeAt: [] as (Date | null)[],
  };
  for (const [id, { policy, categories }] of perFacility) {
    const a = decideAvailability(categories, policy, now);
    cols.id.push(id);
    cols.capacity.push(a.capacity);
    cols.free.push(a.free);
    cols.occupied.push(a.occupied);
    cols.unknown.push(a.unknown);
    cols.closed.push(a.closed);
    cols.byCategory.push(JSON.stringify(a.byCategory));
    cols.status.push(a.status);
    cols.confidence.push(a.confidence);
    cols.openNow.push(a.openNow);
    cols.hoursChangeAt.push(a.hoursChangeAt);
  }
  const changed = await sql<WrittenRow>`
    WITH changed AS (
      INSERT INTO facility_state AS fs (facility_id, capacity, free, occupied, unknown, closed, by_category, status, confidence,
        open_now, hours_change_at, updated_at)
      SELECT u.id, u.capacity, u.free, u.occupied, u.unknown, u.closed, u.by_category::jsonb, u.status, u.confidence,
        u.open_now, u.hours_change_at, ${now}::timestamptz
      FROM unnest(${cols.id}::text[], ${cols.capacity}::int[], ${cols.free}::int[], ${cols.occupied}::int[], ${cols.unknown}::int[],
                  ${cols.closed}::int[], ${cols.byCategory}::text[], ${cols.status}::text[], ${cols.confidence}::real[],
                  ${cols.openNow}::boolean[], ${cols.hoursChangeAt}::timestamptz[])
        AS u(id, capacity, free, occupied, unknown, closed, by_category, status, confidence, open_now, hours_change_at)
      ON CONFLICT (facility_id) DO UPDATE SET
        capacity = excluded.capacity, free = excluded.free, occupied = excluded.occupied, unknown = excluded.unknown,
        closed = excluded.closed, by_category = excluded.by_category, status = excluded.status, confidence = excluded.confidence,
        open_now = excluded.open_now, hours_change_at = excluded.hours_change_at,
        version = fs.version + 1, updated_at = excluded.updated_at
      -- The opening hours' next change is shown too (openingHours.nextChange), so it bumps the version like a count.
      WHERE (fs.capacity, fs.free, fs.occupied, fs.unknown, fs.closed, fs.status, fs.by_category, fs.open_now, fs.hours_change_at)
        IS DISTINCT FROM (excluded.capacity, excluded.free, excluded.occupied, excluded.unknown, excluded.closed, excluded.status,
          excluded.by_category, excluded.open_now, excluded.hours_change_at)
      RETURNING facility_id, version, capacity, free, occupied, unknown, closed, by_category, status, confidence, open_now,
        hours_change_at, updated_at
    ),
    -- Every committed change also lands in the 15-minute occupancy history, in the same statement
    -- (recordFacilityStateSamples's insert; a data-modifying WITH runs whether or not it is read).
    samples AS (
      INSERT INTO facility_state_samples (facility_id, at, version, capacity, free, occupied, unknown)
      SELECT facility_id, updated_at, version, capacity, free, occupied, unknown FROM changed
    )
    SELECT * FROM changed`.execute(trx);
  return changed.rows.map((r) => ({
    facilityId: r.facility_id,
    version: r.version,
    state: {
      capacity: r.capacity,
      free: r.free,
      occupied: r.occupied,
      unknown: r.unknown,
      closed: r.closed,
      status: r.status,
      confidence: r.confidence,
      byCategory: r.by_category,
      openNow: r.open_now,
      hoursChangeAt: r.hours_change_at,
      version: r.version,
      updatedAt: r.updated_at,
    },
  }));
}
