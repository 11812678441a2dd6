import { DEFAULT_STALE_FACTOR } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { notifyFacilityChanges } from './facility-notify.js';
import { refreshFacilityState } from './facility-recount.js';
import type { ChangedFacility } from './facility-state-write.js';
import { sensorStatusSql } from './spot-rule.js';

/**
 * Re-evaluates every facility against the clock (sensors going silent turn spots unknown even
 * when nothing arrives), in chunks of one transaction each; returns the facilities that changed.
 */
export async function refreshAllFacilityStates(db: Kysely<Database>, now: Date, chunkSize = 50): Promise<ChangedFacility[]> {
  const ids = (await db.selectFrom('facilities').select('id').orderBy('id').execute()).map((r) => r.id);
  return refreshInChunks(db, ids, now, chunkSize);
}

/**
 * Re-evaluates only the facilities the clock can have changed since they were counted: those with
 * a sensor whose counted status is no longer what its state shows now (silent too long, or heard
 * again through a status report), those whose opening hours changed state (`hours_change_at`
 * passed), counted facilities (their counters age too) and facilities without a state row yet.
 * A read without locks finds them; in a city where sensors keep talking it finds none, so the
 * periodic sweep costs one query and holds no lock against ingest.
 */
export async function refreshOutOfStepFacilityStates(
  db: Kysely<Database>,
  now: Date,
  chunkSize = 50,
  staleFactor = DEFAULT_STALE_FACTOR,
): Promise<ChangedFacility[]> {
  const status = sensorStatusSql(
    sql.ref('ss.occupied'),
    sql.ref('ss.last_seen_at'),
    sql.ref('se.heartbeat_interval_seconds'),
    now,
    staleFactor,
  );
  const { rows } = await sql<{ id: string }>`
    SELECT sp.facility_id AS id
    FROM sensors se JOIN spots sp ON sp.id = se.spot_id JOIN sensor_state ss ON ss.sensor_id = se.id
    WHERE coalesce(ss.counted_status, 'unknown') <> ${status}
    UNION
    SELECT f.id FROM facilities f LEFT JOIN facility_state fs ON fs.facility_id = f.id
    WHERE f.capacity IS NOT NULL OR fs.facility_id IS NULL
    UNION
    SELECT facility_id FROM facility_state WHERE hours_change_at <= ${now}::timestamptz
    ORDER BY id`.execute(db);
  return refreshInChunks(
    db,
    rows.map((r) => r.id),
    now,
    chunkSize,
  );
}

async function refreshInChunks(db: Kysely<Database>, ids: readonly string[], now: Date, chunkSize: number): Promise<ChangedFacility[]> {
  const changed: ChangedFacility[] = [];
  // Small transactions: each holds its facilities' locks only briefly, so ingest commits interleave.
  for (let i = 0; i < ids.length; i += chunkSize) {
    const chunk = ids.slice(i, i + chunkSize);
    changed.push(
      ...(await db.transaction().execute(async (trx) => {
        const c = await refreshFacilityState(trx, chunk, now);
        await notifyFacilityChanges(trx, c);
        return c;
      })),
    );
  }
  return changed;
}
