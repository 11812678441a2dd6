import { type CategoryCounts, DEFAULT_STALE_FACTOR, type SpotCategory, summarizeFacility } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import { countCountedFacilities } from './counter-state.repository.js';
import type { Database } from './database.js';
import { recordFacilityStateSamples } from './history.repository.js';

export interface ChangedFacility {
  facilityId: string;
  version: number;
}

interface CountRow {
  facility_id: string;
  category: SpotCategory | null;
  almost_full_threshold: number;
  capacity: number;
  closed: number;
  free: number;
  occupied: number;
}

/**
 * Recomputes the state of the given facilities from spot and sensor state and bumps `version`
 * where counts or status changed. Call inside the transaction that changed sensor state.
 * The spot rule mirrors `computeSpotStatus` in @freiplatz/domain (a test holds them together).
 */
export async function refreshFacilityState(
  trx: Kysely<Database>,
  facilityIds: readonly string[],
  now: Date,
  staleFactor = DEFAULT_STALE_FACTOR,
): Promise<ChangedFacility[]> {
  if (facilityIds.length === 0) return [];
  const ids = [...new Set(facilityIds)].sort();
  // Row locks in id order serialise concurrent workers on a facility, and the count below then
  // runs on a snapshot that includes whatever the other worker committed.
  await sql`SELECT facility_id FROM facility_state WHERE facility_id = ANY(${ids}::text[]) ORDER BY facility_id FOR UPDATE`.execute(trx);
  const { rows } = await sql<CountRow>`
    SELECT f.id AS facility_id, sp.category, f.almost_full_threshold,
      count(sp.id)::int AS capacity,
      count(*) FILTER (WHERE sp.closed)::int AS closed,
      count(*) FILTER (WHERE NOT sp.closed AND ss.occupied = false AND fresh.ok)::int AS free,
      count(*) FILTER (WHERE NOT sp.closed AND ss.occupied = true AND fresh.ok)::int AS occupied
    FROM facilities f
    LEFT JOIN spots sp ON sp.facility_id = f.id
    LEFT JOIN sensors se ON se.spot_id = sp.id
    LEFT JOIN sensor_state ss ON ss.sensor_id = se.id
    CROSS JOIN LATERAL (SELECT coalesce(
      ss.last_seen_at >= ${now}::timestamptz - make_interval(secs => se.heartbeat_interval_seconds * ${staleFactor}::float8),
      false) AS ok) fresh
    WHERE f.id = ANY(${ids}::text[])
    GROUP BY f.id, sp.category, f.almost_full_threshold`.execute(trx);

  const perFacility = new Map<string, { threshold: number; categories: CategoryCounts[] }>();
  for (const r of rows) {
    const entry = perFacility.get(r.facility_id) ?? { threshold: r.almost_full_threshold, categories: [] };
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
  };
  for (const [id, { threshold, categories }] of perFacility) {
    const a = summarizeFacility(categories, threshold);
    cols.id.push(id);
    cols.capacity.push(a.capacity);
    cols.free.push(a.free);
    cols.occupied.push(a.occupied);
    cols.unknown.push(a.unknown);
    cols.closed.push(a.closed);
    cols.byCategory.push(JSON.stringify(a.byCategory));
    cols.status.push(a.status);
    cols.confidence.push(a.confidence);
  }
  const changed = await sql<{ facility_id: string; version: number; capacity: number; free: number; occupied: number; unknown: number }>`
    INSERT INTO facility_state AS fs (facility_id, capacity, free, occupied, unknown, closed, by_category, status, confidence, updated_at)
    SELECT u.id, u.capacity, u.free, u.occupied, u.unknown, u.closed, u.by_category::jsonb, u.status, u.confidence, ${now}::timestamptz
    FROM unnest(${cols.id}::text[], ${cols.capacity}::int[], ${cols.free}::int[], ${cols.occupied}::int[], ${cols.unknown}::int[],
                ${cols.closed}::int[], ${cols.byCategory}::text[], ${cols.status}::text[], ${cols.confidence}::real[])
      AS u(id, capacity, free, occupied, unknown, closed, by_category, status, confidence)
    ON CONFLICT (facility_id) DO UPDATE SET
      capacity = excluded.capacity, free = excluded.free, occupied = excluded.occupied, unknown = excluded.unknown,
      closed = excluded.closed, by_category = excluded.by_category, status = excluded.status, confidence = excluded.confidence,
      version = fs.version + 1, updated_at = excluded.updated_at
    WHERE (fs.capacity, fs.free, fs.occupied, fs.unknown, fs.closed, fs.status, fs.by_category)
      IS DISTINCT FROM (excluded.capacity, excluded.free, excluded.occupied, excluded.unknown, excluded.closed, excluded.status, excluded.by_category)
    RETURNING facility_id, version, capacity, free, occupied, unknown`.execute(trx);
  // Every committed change also lands in the 15-minute occupancy history, in the same transaction.
  await recordFacilityStateSamples(
    trx,
    changed.rows.map((r) => ({ facilityId: r.facility_id, ...r })),
    now,
  );
  return changed.rows.map((r) => ({ facilityId: r.facility_id, version: r.version }));
}

/** Channel on which committed facility-state changes are announced. */
export const FACILITY_STATE_CHANNEL = 'facility_state';

const NOTIFY_CHUNK = 100;

/** Queues NOTIFYs for changed facilities; PostgreSQL delivers them only if the transaction commits. */
export async function notifyFacilityChanges(trx: Kysely<Database>, changed: readonly ChangedFacility[]): Promise<void> {
  for (let i = 0; i < changed.length; i += NOTIFY_CHUNK) {
    const payload = JSON.stringify(changed.slice(i, i + NOTIFY_CHUNK).map((c) => [c.facilityId, c.version]));
    await sql`SELECT pg_notify(${FACILITY_STATE_CHANNEL}, ${payload})`.execute(trx);
  }
}

/**
 * Re-evaluates every facility against the clock (sensors going silent turn spots unknown even
 * when nothing arrives), in chunks of one transaction each; returns the facilities that changed.
 */
export async function refreshAllFacilityStates(db: Kysely<Database>, now: Date, chunkSize = 200): Promise<ChangedFacility[]> {
  const ids = (await db.selectFrom('facilities').select('id').orderBy('id').execute()).map((r) => r.id);
  const changed: ChangedFacility[] = [];
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
