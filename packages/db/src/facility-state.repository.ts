import {
  type CategoryAvailability,
  type CategoryCounts,
  type Counts,
  DEFAULT_STALE_FACTOR,
  type FacilityStatus,
  type SpotCategory,
} from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import { countCountedFacilities } from './counter-state.repository.js';
import type { Database } from './database.js';
import type { FacilityStateRecord } from './facilities.repository.js';
import { decideAvailability, type FacilityPolicy, type PolicyRow, policyColumns, toFacilityPolicy } from './facility-policy.js';
import { arrayLiteral } from './real.js';

export interface ChangedFacility {
  facilityId: string;
  version: number;
  /** The state as committed: announced with the change, so listeners need not read it back. */
  state?: FacilityStateRecord;
}

interface CountRow extends PolicyRow {
  facility_id: string;
  category: SpotCategory | null;
  capacity: number;
  closed: number;
  free: number;
  occupied: number;
}

/** What an open spot contributes to its facility's counts (closure is counted from the spot). */
export type CountedStatus = 'free' | 'occupied' | 'unknown';

/** A facility's counts by category and its policy, ready to be summarised and written. */
interface FacilityCounts {
  policy: FacilityPolicy;
  categories: CategoryCounts[];
}

/**
 * Recomputes the state of the given facilities from spot and sensor state and bumps `version`
 * where counts or status changed. Call inside the transaction that changed sensor state.
 * The spot rule is `freiplatz_sensor_status` (migration 0007), which mirrors `computeSpotStatus`
 * in @freiplatz/domain (a test holds them together). It also settles every sensor's
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
  // Locks as every writer takes them: the sensor state rows of the facilities' spots first (an
  // ingest commit holds its sensors' rows until it commits, and takes facility rows last), then
  // the facility state rows, each in id order. The count below then runs on a snapshot that
  // includes whatever another worker committed, and no one else is halfway through these sensors.
  await lockSensorsOfFacilities(trx, ids);
  await sql`SELECT facility_id FROM facility_state WHERE facility_id = ANY(${ids}::text[]) ORDER BY facility_id FOR UPDATE`.execute(trx);
  const status = (ss: string, se: string) =>
    sql`freiplatz_sensor_status(${sql.ref(`${ss}.occupied`)}, ${sql.ref(`${ss}.last_seen_at`)}, ${sql.ref(`${se}.heartbeat_interval_seconds`)}, ${now}::timestamptz, ${staleFactor}::float8)`;
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
    const entry = perFacility.get(r.facility_id) ?? { policy: toFacilityPolicy(r), categories: [] };
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
      WHERE sp.facility_id = ANY(${arrayLiteral([...new Set(facilityIds)])}::text[])
      ORDER BY ss.sensor_id FOR UPDATE OF ss) AS locked`.execute(trx);
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
      WHERE fs.facility_id = ANY(${arrayLiteral([...new Set(facilityIds)])}::text[])
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

/** Open spots of one facility and category whose counted status moved from `from` to `to` in this transaction. */
export interface SpotStatusChange {
  facilityId: string;
  category: SpotCategory;
  from: CountedStatus;
  to: CountedStatus;
  /** How many spots made this move (default 1). */
  count?: number;
}

/**
 * Brings facility state up to date after sensor state changed, without recounting: each facility
 * locked by `lockFacilities` gets the old → new deltas of its spots applied to its stored
 * counts. Facilities that cannot be updated that way — not locked (no state row yet), counted by
 * counters, or whose stored counts would not take the delta (a category missing, a count below
 * zero: the invariant broke somewhere) — are recounted in full, as are `recount`.
 */
export async function applySpotStatusChanges(
  trx: Kysely<Database>,
  locked: ReadonlyMap<string, LockedFacility>,
  changes: readonly SpotStatusChange[],
  recount: readonly string[],
  now: Date,
): Promise<ChangedFacility[]> {
  const full = new Set(recount);
  const updated = new Map<string, Partial<Record<SpotCategory, Counts>>>();
  for (const c of changes) {
    const facility = locked.get(c.facilityId);
    if (facility === undefined || facility.counted) {
      full.add(c.facilityId);
      continue;
    }
    let byCategory = updated.get(c.facilityId);
    if (byCategory === undefined) {
      byCategory = structuredClone(facility.byCategory);
      updated.set(c.facilityId, byCategory);
    }
    const counts = byCategory[c.category];
    if (counts === undefined) {
      full.add(c.facilityId);
      continue;
    }
    const n = c.count ?? 1;
    counts[c.from] -= n;
    counts[c.to] += n;
  }
  const perFacility = new Map<string, FacilityCounts>();
  for (const [id, byCategory] of updated) {
    const categories = Object.entries(byCategory).map(([category, c]) => ({
      category: category as SpotCategory,
      capacity: c.capacity,
      free: c.free,
      occupied: c.occupied,
      unknown: c.unknown,
      closed: c.closed,
    }));
    if (full.has(id) || categories.some((c) => c.free < 0 || c.occupied < 0 || c.unknown < 0)) {
      full.add(id);
      continue;
    }
    perFacility.set(id, { policy: (locked.get(id) as LockedFacility).policy, categories });
  }
  const changed = await writeFacilityStates(trx, perFacility, now);
  if (full.size > 0) changed.push(...(await refreshFacilityState(trx, [...full], now)));
  return changed;
}

/** Writes summarised counts, bumping `version` only where something changed, and records history. */
async function writeFacilityStates(
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
  const changed = await sql<{
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
  }>`
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

/** Channel on which committed facility-state changes are announced. */
export const FACILITY_STATE_CHANNEL = 'facility_state';

/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes and more. */
const NOTIFY_MAX_BYTES = 7_000;

/**
 * One change as announced: `[facilityId, version]`, or `[facilityId, version, state]` with the state
 * as committed (`updatedAt` in epoch milliseconds), which listeners can apply without a read.
 */
export type FacilityStatePayloadEntry =
  | [string, number]
  | [string, number, Omit<FacilityStateRecord, 'updatedAt' | 'hoursChangeAt'> & { updatedAt: number; hoursChangeAt: number | null }];

/**
 * Queues NOTIFYs for changed facilities, in payloads under PostgreSQL's size limit, all in one
 * statement; PostgreSQL delivers them only if the transaction commits.
 */
export async function notifyFacilityChanges(trx: Kysely<Database>, changed: readonly ChangedFacility[]): Promise<void> {
  if (changed.length === 0) return;
  const payloads: string[] = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const c of changed) {
    const entry: FacilityStatePayloadEntry = c.state
      ? [
          c.facilityId,
          c.version,
          { ...c.state, updatedAt: c.state.updatedAt.getTime(), hoursChangeAt: c.state.hoursChangeAt?.getTime() ?? null },
        ]
      : [c.facilityId, c.version];
    const part = JSON.stringify(entry);
    const size = Buffer.byteLength(part) + 1;
    if (parts.length > 0 && bytes + size > NOTIFY_MAX_BYTES) {
      payloads.push(`[${parts.join(',')}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(part);
    bytes += size;
  }
  payloads.push(`[${parts.join(',')}]`);
  await sql`SELECT pg_notify(${FACILITY_STATE_CHANNEL}, p) FROM unnest(${arrayLiteral(payloads)}::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n`.execute(
    trx,
  );
}

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
 * passed), counted facilities (their counters age too) and facilities without a state row yet. A read without locks finds them; in a city where sensors keep talking
 * it finds none, so the periodic sweep costs one query and holds no lock against ingest.
 */
export async function refreshOutOfStepFacilityStates(
  db: Kysely<Database>,
  now: Date,
  chunkSize = 50,
  staleFactor = DEFAULT_STALE_FACTOR,
): Promise<ChangedFacility[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT sp.facility_id AS id
    FROM sensors se JOIN spots sp ON sp.id = se.spot_id JOIN sensor_state ss ON ss.sensor_id = se.id
    WHERE coalesce(ss.counted_status, 'unknown')
      <> freiplatz_sensor_status(ss.occupied, ss.last_seen_at, se.heartbeat_interval_seconds, ${now}::timestamptz, ${staleFactor}::float8)
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
