import type { HistoryBucket } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

/** A facility's counts as committed by a state change. */
export interface FacilityStateSample {
  facilityId: string;
  version: number;
  capacity: number;
  free: number;
  occupied: number;
  unknown: number;
}

/** One 15-minute bucket of a facility's occupancy history (the domain's shape, as stored). */
export type OccupancyBucket = HistoryBucket;

interface BucketRow {
  bucket: Date;
  samples: number;
  capacity: number;
  free_avg: number;
  free_min: number;
  free_max: number;
  free_last: number;
  occupied_avg: number;
  unknown_avg: number;
}

const toBucket = (r: BucketRow): OccupancyBucket => ({
  bucket: r.bucket,
  samples: r.samples,
  capacity: r.capacity,
  freeAvg: r.free_avg,
  freeMin: r.free_min,
  freeMax: r.free_max,
  freeLast: r.free_last,
  occupiedAvg: r.occupied_avg,
  unknownAvg: r.unknown_avg,
});

const BUCKET_COLUMNS = sql.raw('bucket, samples, capacity, free_avg, free_min, free_max, free_last, occupied_avg, unknown_avg');

/**
 * Records the new state of changed facilities at `at`; the database folds each sample into its
 * 15-minute bucket. Call inside the transaction that changed the state. (Ingest writes its samples
 * in the same statement as the state, `writeFacilityStates`, with this insert as a `WITH`.)
 */
export async function recordFacilityStateSamples(trx: Kysely<Database>, samples: readonly FacilityStateSample[], at: Date): Promise<void> {
  if (samples.length === 0) return;
  await sql`
    INSERT INTO facility_state_samples (facility_id, at, version, capacity, free, occupied, unknown)
    SELECT u.facility_id, ${at}::timestamptz, u.version, u.capacity, u.free, u.occupied, u.unknown
    FROM unnest(${samples.map((s) => s.facilityId)}::text[], ${samples.map((s) => s.version)}::bigint[],
      ${samples.map((s) => s.capacity)}::int[], ${samples.map((s) => s.free)}::int[],
      ${samples.map((s) => s.occupied)}::int[], ${samples.map((s) => s.unknown)}::int[])
      AS u(facility_id, version, capacity, free, occupied, unknown)`.execute(trx);
}

/**
 * Lists a facility's buckets in [from, to), preceded by the last bucket before `from` (if any) so
 * that callers can carry its state into the range; ordered by time.
 */
export async function listOccupancyBuckets(db: Kysely<Database>, facilityId: string, from: Date, to: Date): Promise<OccupancyBucket[]> {
  const { rows } = await sql<BucketRow>`
    (SELECT ${BUCKET_COLUMNS} FROM facility_occupancy_15m
      WHERE facility_id = ${facilityId} AND bucket < ${from}::timestamptz ORDER BY bucket DESC LIMIT 1)
    UNION ALL
    (SELECT ${BUCKET_COLUMNS} FROM facility_occupancy_15m
      WHERE facility_id = ${facilityId} AND bucket >= ${from}::timestamptz AND bucket < ${to}::timestamptz ORDER BY bucket)
    ORDER BY bucket`.execute(db);
  return rows.map(toBucket);
}

/**
 * For each instant, the bucket holding it or else the latest earlier bucket within `lookbackHours`
 * (whose final state still held at that instant); null where there is none.
 */
export async function findOccupancyAt(
  db: Kysely<Database>,
  facilityId: string,
  instants: readonly Date[],
  lookbackHours = 24,
): Promise<Array<OccupancyBucket | null>> {
  if (instants.length === 0) return [];
  const { rows } = await sql<BucketRow & { ord: number }>`
    SELECT s.ord::int AS ord, b.* FROM unnest(${instants}::timestamptz[]) WITH ORDINALITY AS s(instant, ord)
    JOIN LATERAL (
      SELECT ${BUCKET_COLUMNS} FROM facility_occupancy_15m
      WHERE facility_id = ${facilityId} AND bucket <= s.instant
        AND bucket > s.instant - make_interval(hours => ${lookbackHours}::int)
      ORDER BY bucket DESC LIMIT 1) b ON true`.execute(db);
  const out: Array<OccupancyBucket | null> = instants.map(() => null);
  for (const r of rows) out[r.ord - 1] = toBucket(r);
  return out;
}
