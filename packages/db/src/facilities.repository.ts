import type { CategoryAvailability, Counts, FacilityKind, FacilityStatus, SpotCategory } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

/** Maintained availability of a facility, as `refreshFacilityState` last wrote it. */
export interface FacilityStateRecord extends Counts {
  status: FacilityStatus;
  confidence: number;
  /** Each category's counts and its own status (decided by the same rule from its counts). */
  byCategory: Partial<Record<SpotCategory, CategoryAvailability>>;
  /** By the opening hours at the last count: false outside them; null without hours. */
  openNow: boolean | null;
  /** When `openNow` next changes (the state sweeper recounts then); null when it never does. */
  hoursChangeAt: Date | null;
  /** Bumped on every change; 0 when the facility has no state row yet. */
  version: number;
  updatedAt: Date;
}

export interface FacilityRecord {
  id: string;
  name: string;
  kind: FacilityKind;
  location: { lat: number; lon: number };
  address: string | null;
  openingHours: string | null;
  timeZone: string;
  almostFullThreshold: number;
  minKnownShare: number;
  tags: string[];
  state: FacilityStateRecord;
}

export interface SpotRecord {
  id: string;
  facilityId: string;
  category: SpotCategory;
  amenities: string[];
  closed: boolean;
  /** The bay sensor assigned to the spot, if any. */
  sensor: { id: string; heartbeatIntervalSeconds: number } | null;
  /** The sensor's latest state; null when it was never heard. */
  sensorState: { occupied: boolean | null; lastSeenAt: Date } | null;
}

function selectFacilities(db: Kysely<Database>) {
  return db
    .selectFrom('facilities as f')
    .leftJoin('facility_state as fs', 'fs.facility_id', 'f.id')
    .select([
      'f.id',
      'f.name',
      'f.kind',
      'f.lat',
      'f.lon',
      'f.address',
      'f.opening_hours',
      'f.almost_full_threshold',
      'f.time_zone',
      'f.min_known_share',
      'f.tags',
      'fs.capacity',
      'fs.free',
      'fs.occupied',
      'fs.unknown',
      'fs.closed',
      'fs.by_category',
      'fs.status',
      'fs.confidence',
      'fs.open_now',
      'fs.hours_change_at',
      'fs.version',
      // facilities.updated_at is typed Generated<ColumnType>, which kysely does not unwrap; read it as plain SQL.
      sql<Date>`coalesce(fs.updated_at, f.updated_at)`.as('updated_at'),
    ]);
}

type FacilityRow = Awaited<ReturnType<ReturnType<typeof selectFacilities>['executeTakeFirstOrThrow']>>;

function toFacilityRecord(r: FacilityRow): FacilityRecord {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as FacilityKind,
    location: { lat: r.lat, lon: r.lon },
    address: r.address,
    openingHours: r.opening_hours,
    timeZone: r.time_zone,
    almostFullThreshold: r.almost_full_threshold,
    minKnownShare: r.min_known_share,
    tags: r.tags,
    // A facility without a state row (not imported through the registry) reads as fully unknown.
    state: {
      capacity: r.capacity ?? 0,
      free: r.free ?? 0,
      occupied: r.occupied ?? 0,
      unknown: r.unknown ?? 0,
      closed: r.closed ?? 0,
      status: (r.status ?? 'unknown') as FacilityStatus,
      confidence: r.confidence ?? 0,
      byCategory: (r.by_category ?? {}) as Partial<Record<SpotCategory, CategoryAvailability>>,
      openNow: r.open_now ?? null,
      hoursChangeAt: r.hours_change_at ?? null,
      version: r.version ?? 0,
      updatedAt: r.updated_at,
    },
  };
}

/** Lists all facilities with their maintained state, ordered by id. */
export async function listFacilities(db: Kysely<Database>): Promise<FacilityRecord[]> {
  const rows = await selectFacilities(db).orderBy('f.id').execute();
  return rows.map(toFacilityRecord);
}

/** Finds one facility with its maintained state; undefined when there is no such facility. */
export async function findFacility(db: Kysely<Database>, id: string): Promise<FacilityRecord | undefined> {
  const row = await selectFacilities(db).where('f.id', '=', id).executeTakeFirst();
  return row && toFacilityRecord(row);
}

/** Finds the given facilities with their maintained state (those that exist), ordered by id. */
export async function findFacilities(db: Kysely<Database>, ids: readonly string[]): Promise<FacilityRecord[]> {
  if (ids.length === 0) return [];
  const rows = await selectFacilities(db)
    .where(sql<boolean>`f.id = ANY(${[...ids]}::text[])`)
    .orderBy('f.id')
    .execute();
  return rows.map(toFacilityRecord);
}

/** How many spots of each category of a facility offer each amenity, e.g. `{ camper: { power: 12 } }`. */
export async function countAmenities(
  db: Kysely<Database>,
  facilityId: string,
): Promise<Partial<Record<SpotCategory, Record<string, number>>>> {
  const { rows } = await sql<{ category: SpotCategory; amenity: string; spots: number }>`
    SELECT sp.category, a.amenity, count(*)::int AS spots
    FROM spots sp CROSS JOIN LATERAL unnest(sp.amenities) AS a(amenity)
    WHERE sp.facility_id = ${facilityId}
    GROUP BY sp.category, a.amenity
    ORDER BY sp.category, a.amenity`.execute(db);
  const out: Partial<Record<SpotCategory, Record<string, number>>> = {};
  for (const r of rows) {
    const perAmenity = out[r.category] ?? {};
    perAmenity[r.amenity] = r.spots;
    out[r.category] = perAmenity;
  }
  return out;
}

/** Reads only a facility's state version (the cheap ETag check); undefined when it has no state row. */
export async function findFacilityVersion(db: Kysely<Database>, id: string): Promise<number | undefined> {
  const row = await db.selectFrom('facility_state').select('version').where('facility_id', '=', id).executeTakeFirst();
  return row?.version;
}

/** Lists a facility's spots, ordered by id, with their sensor's heartbeat interval and latest state. */
export async function listSpots(db: Kysely<Database>, facilityId: string): Promise<SpotRecord[]> {
  return listSpotsOfFacilities(db, [facilityId]);
}

/** Lists the spots of the given facilities with their sensor and its latest state, ordered by spot id. */
export async function listSpotsOfFacilities(db: Kysely<Database>, facilityIds: readonly string[]): Promise<SpotRecord[]> {
  if (facilityIds.length === 0) return [];
  const rows = await db
    .selectFrom('spots as sp')
    .leftJoin('sensors as se', 'se.spot_id', 'sp.id')
    .leftJoin('sensor_state as ss', 'ss.sensor_id', 'se.id')
    .select([
      'sp.id',
      'sp.facility_id',
      'sp.category',
      'sp.amenities',
      'sp.closed',
      'se.id as sensor_id',
      'se.heartbeat_interval_seconds',
      'ss.occupied',
      'ss.last_seen_at',
    ])
    .where(sql<boolean>`sp.facility_id = ANY(${[...facilityIds]}::text[])`)
    .orderBy('sp.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    facilityId: r.facility_id,
    category: r.category as SpotCategory,
    amenities: r.amenities,
    closed: r.closed,
    sensor:
      r.sensor_id !== null && r.heartbeat_interval_seconds !== null
        ? { id: r.sensor_id, heartbeatIntervalSeconds: r.heartbeat_interval_seconds }
        : null,
    sensorState: r.sensor_id !== null && r.last_seen_at !== null ? { occupied: r.occupied, lastSeenAt: r.last_seen_at } : null,
  }));
}
