import { type CategoryCounts, computeCounterAvailability } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

export interface CountedFacility {
  counts: CategoryCounts;
  /** Raw net count of its counters (sum), before clamping; null when none has reported. */
  vehicles: number | null;
  /** This refresh found a new raw count outside [0, capacity] and counted a clamp. */
  clamped: boolean;
}

/**
 * Counts of counted facilities (with a capacity, fed by entry/exit counters) among `facilityIds`:
 * free = capacity − vehicles clamped to [0, capacity]; unknown while any of its counters is silent
 * beyond its heartbeat allowance. Each new impossible raw count bumps `facility_state.vehicle_clamps`.
 * Call inside the transaction that holds the facility_state row locks.
 */
export async function countCountedFacilities(
  trx: Kysely<Database>,
  facilityIds: readonly string[],
  now: Date,
  staleFactor: number,
): Promise<Map<string, CountedFacility>> {
  const { rows } = await sql<{
    id: string;
    capacity: number;
    previous: number | null;
    counters: number;
    fresh: number;
    vehicles: number | null;
  }>`
    SELECT f.id, f.capacity, fs.vehicles AS previous, count(se.id)::int AS counters,
      count(*) FILTER (WHERE ss.last_seen_at >= ${now}::timestamptz - make_interval(secs => se.heartbeat_interval_seconds * ${staleFactor}::float8))::int AS fresh,
      sum(ss.vehicles)::int AS vehicles
    FROM facilities f
    LEFT JOIN facility_state fs ON fs.facility_id = f.id
    LEFT JOIN sensors se ON se.facility_id = f.id AND se.kind = 'counter'
    LEFT JOIN sensor_state ss ON ss.sensor_id = se.id
    WHERE f.id = ANY(${[...facilityIds]}::text[]) AND f.capacity IS NOT NULL
    GROUP BY f.id, f.capacity, fs.vehicles
    ORDER BY f.id`.execute(trx);
  const result = new Map<string, CountedFacility>();
  for (const r of rows) {
    const fresh = r.counters > 0 && r.fresh === r.counters;
    const { counts } = computeCounterAvailability(r.capacity, fresh ? (r.vehicles ?? 0) : null);
    const clamped = r.vehicles !== null && r.vehicles !== r.previous && computeCounterAvailability(r.capacity, r.vehicles).clamped;
    if (r.vehicles !== r.previous) {
      await sql`
        INSERT INTO facility_state AS fs (facility_id, vehicles, vehicle_clamps) VALUES (${r.id}, ${r.vehicles}, ${clamped ? 1 : 0})
        ON CONFLICT (facility_id) DO UPDATE SET vehicles = excluded.vehicles, vehicle_clamps = fs.vehicle_clamps + excluded.vehicle_clamps`.execute(
        trx,
      );
    }
    result.set(r.id, { counts, vehicles: r.vehicles, clamped });
  }
  return result;
}
