import { type CategoryCounts, DEFAULT_STALE_FACTOR, type SpotCategory } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import { countCountedFacilities } from './counter-state.repository.js';
import type { Database } from './database.js';
import { lockFacilityStateRows, lockSensorsOfFacilities } from './facility-locks.js';
import { type PolicyRow, policyColumns, toFacilityPolicy } from './facility-policy.js';
import { type ChangedFacility, type FacilityCounts, writeFacilityStates } from './facility-state-write.js';
import { sensorStatusSql } from './spot-rule.js';

interface CountRow extends PolicyRow {
  facility_id: string;
  category: SpotCategory | null;
  capacity: number;
  closed: number;
  free: number;
  occupied: number;
}

/**
 * Recomputes the state of the given facilities from spot and sensor state and bumps `version`
 * where counts or status changed. Call inside the transaction that changed sensor state.
 * The spot rule is `sensorStatusSql` (spot-rule.ts). It also settles every sensor's
 * `counted_status` at `now`, the basis of the incremental path in `applySpotStatusChanges`.
 */
export async function refreshFacilityState(
  trx: Kysely<Database>,
  facilityIds: readonly string[],
  now: Date,
  staleFactor = DEFAULT_STALE_FACTOR,
): Promise<ChangedFacility[]> {
  if (facilityIds.length === 0) return [];
  const ids = [...new Set(facilityIds)].sort();
  // Locks as every writer takes them (facility-locks.ts): the sensor state rows of the facilities'
  // spots first (an ingest commit holds its sensors' rows until it commits, and takes facility
  // rows last), then the facility state rows. The count below then runs on a snapshot that
  // includes whatever another worker committed, and no one else is halfway through these sensors.
  await lockSensorsOfFacilities(trx, ids);
  await lockFacilityStateRows(trx, ids);
  const status = (ss: string, se: string) =>
    sensorStatusSql(
      sql.ref(`${ss}.occupied`),
      sql.ref(`${ss}.last_seen_at`),
      sql.ref(`${se}.heartbeat_interval_seconds`),
      now,
      staleFactor,
    );
  // The update and the count see the same snapshot and apply the same rule, so the counts written
  // below are exactly the sum of the counted statuses set here.
  const { rows } = await sql<CountRow>`
    WITH settle AS (
      UPDATE sensor_state ss SET counted_status = ${status('ss', 'se')}
      FROM sensors se JOIN spots sp ON sp.id = se.spot_id
      WHERE se.id = ss.sensor_id AND sp.facility_id = ANY(${ids}::text[])
        AND ss.counted_status IS DISTINCT FROM ${status('ss', 'se')}
    )
    SELECT f.id AS facility_id, sp.category, ${policyColumns('f')},
      count(sp.id)::int AS capacity,
      count(*) FILTER (WHERE sp.closed)::int AS closed,
      count(*) FILTER (WHERE NOT sp.closed AND st.status = 'free')::int AS free,
      count(*) FILTER (WHERE NOT sp.closed AND st.status = 'occupied')::int AS occupied
    FROM facilities f
    LEFT JOIN spots sp ON sp.facility_id = f.id
    LEFT JOIN sensors se ON se.spot_id = sp.id
    LEFT JOIN sensor_state ss ON ss.sensor_id = se.id
    CROSS JOIN LATERAL (SELECT ${status('ss', 'se')} AS status) st
    WHERE f.id = ANY(${ids}::text[])
    GROUP BY f.id, sp.category`.execute(trx);

  const perFacility = new Map<string, FacilityCounts>();
  for (const r of rows) {
    const entry = perFacility.get(r.facility_id) ?? { policy: toFacilityPolicy(r), categories: [] as CategoryCounts[] };
    if (r.category !== null) {
      const unknown = r.capacity - r.closed - r.free - r.occupied;
      entry.categories.push({ category: r.category, capacity: r.capacity, closed: r.closed, free: r.free, occupied: r.occupied, unknown });
    }
    perFacility.set(r.facility_id, entry);
  }
  // Counted facilities (entry/exit counters, no spots) take their counts from the counters.
  for (const [id, counted] of await countCountedFacilities(trx, ids, now, staleFactor)) {
    const entry = perFacility.get(id);
    if (entry) entry.categories = [counted.counts];
  }
  return writeFacilityStates(trx, perFacility, now);
}
