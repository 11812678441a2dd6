import type { Registry } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import type { ChangedFacility } from './facility-state-write.js';

const REGISTRY_LOCK_KEY = 0x52_65_67_69; // "Regi"

/** Where the spots and sensors an import names live now (facility ids; a sensor on no spot and no facility: null). */
export interface RegistryOwners {
  spots: Map<string, string>;
  sensors: Map<string, string | null>;
}

/** An import would write outside the facilities it may write: raised inside the transaction, so nothing is written. */
export class RegistryScopeError extends Error {
  override name = 'RegistryScopeError';
  constructor(
    readonly facilityIds: readonly string[],
    readonly spotIds: readonly string[],
    readonly sensorIds: readonly string[],
    /** City-wide parts the import names: sensor models, polled sources, the open-data publisher. */
    readonly cityWide: readonly string[],
  ) {
    super('the registry import reaches outside the facilities it may write');
  }
}

/**
 * Reads (and locks until the transaction ends) the current owners of every spot and sensor the
 * registry names, so no concurrent import can move or create them between this check and the write.
 */
export async function lockRegistryOwners(trx: Kysely<Database>, registry: Registry): Promise<RegistryOwners> {
  // Imports run one at a time: a spot or sensor another import is creating right now cannot be
  // taken over between this check and the write (row locks cover only rows that exist).
  await sql`SELECT pg_advisory_xact_lock(${REGISTRY_LOCK_KEY})`.execute(trx);
  const spotIds = registry.facilities.flatMap((f) => f.spots.map((s) => s.id));
  const sensorIds = registry.sensors.map((s) => s.id);
  const spots = await sql<{ id: string; facility_id: string }>`
    SELECT id, facility_id FROM spots WHERE id = ANY(${spotIds}::text[]) ORDER BY id FOR NO KEY UPDATE`.execute(trx);
  const sensors = await sql<{ id: string; facility_id: string | null }>`
    SELECT se.id, coalesce(sp.facility_id, se.facility_id) AS facility_id
    FROM sensors se LEFT JOIN spots sp ON sp.id = se.spot_id
    WHERE se.id = ANY(${sensorIds}::text[]) ORDER BY se.id FOR NO KEY UPDATE OF se`.execute(trx);
  return {
    spots: new Map(spots.rows.map((r) => [r.id, r.facility_id])),
    sensors: new Map(sensors.rows.map((r) => [r.id, r.facility_id])),
  };
}

/**
 * Throws `RegistryScopeError` when a key limited to `allowed` facilities would write a facility
 * outside them, take over a spot or sensor that lives outside them (or a sensor assigned nowhere,
 * which is city-wide), or change what applies city-wide: sensor models, polled sources (URLs the
 * ingest service fetches, feeding any facility they name) and the open-data publisher. `allowed`
 * null = every facility.
 */
export function assertRegistryScope(registry: Registry, owners: RegistryOwners, allowed: readonly string[] | null): void {
  if (allowed === null) return;
  const inScope = (id: string | null) => id !== null && allowed.includes(id);
  const facilities = registry.facilities.filter((f) => !inScope(f.id)).map((f) => f.id);
  const spots = [...owners.spots].filter(([, owner]) => !inScope(owner)).map(([id]) => id);
  const sensors = [...owners.sensors].filter(([, owner]) => !inScope(owner)).map(([id]) => id);
  const cityWide = [
    ...(registry.sensorModels.length > 0 ? ['sensor models'] : []),
    ...(registry.sources.length > 0 ? ['sources'] : []),
    ...(registry.openData !== undefined ? ['the open-data publisher'] : []),
  ];
  if (facilities.length > 0 || spots.length > 0 || sensors.length > 0 || cityWide.length > 0) {
    throw new RegistryScopeError(facilities, spots, sensors, cityWide);
  }
}

/**
 * Bumps the state version of facilities whose registry data changed without a change of counts
 * (a rename, a new place, a spot's amenities), so caches keyed on the version read them back.
 */
export async function bumpFacilityVersions(trx: Kysely<Database>, facilityIds: readonly string[]): Promise<ChangedFacility[]> {
  if (facilityIds.length === 0) return [];
  // `updated_at` stays: it says when the counts last changed, which a rename does not.
  const { rows } = await sql<{ facility_id: string; version: number }>`
    UPDATE facility_state SET version = version + 1
    WHERE facility_id = ANY(${[...facilityIds].sort()}::text[]) RETURNING facility_id, version`.execute(trx);
  return rows.map((r) => ({ facilityId: r.facility_id, version: r.version }));
}
