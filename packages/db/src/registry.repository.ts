import { type Registry, sourceCounterSensors } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { notifyFacilityChanges } from './facility-notify.js';
import { refreshFacilityState } from './facility-recount.js';
import type { ChangedFacility } from './facility-state-write.js';
import { importOpenData } from './open-data.repository.js';
import { assertRegistryScope, bumpFacilityVersions, lockRegistryOwners } from './registry-owners.js';
import { upsertSensorModels } from './sensor-models.repository.js';

export interface ImportResult {
  facilities: number;
  spots: number;
  sensors: number;
  changedFacilities: ChangedFacility[];
}

export interface ImportOptions {
  /** Facilities the import may write (a facility-scoped key's); null or absent = every facility. */
  facilityIds?: readonly string[] | null;
}

/**
 * Upserts a validated registry in one transaction; importing the same file twice changes nothing.
 * With `facilityIds`, refuses (`RegistryScopeError`, nothing written) an import that names or takes
 * over anything outside them. Every facility a spot or sensor leaves or joins is recounted in the
 * same transaction, and every facility whose registry data changed is announced with a new version.
 */
export async function importRegistry(
  db: Kysely<Database>,
  registry: Registry,
  now = new Date(),
  options: ImportOptions = {},
): Promise<ImportResult> {
  return db.transaction().execute(async (trx) => {
    const owners = await lockRegistryOwners(trx, registry);
    assertRegistryScope(registry, owners, options.facilityIds ?? null);
    const touched = new Set<string>();
    const facilities = registry.facilities;
    if (facilities.length > 0) {
      const upserted = await trx
        .insertInto('facilities')
        .values(
          facilities.map((f) => ({
            id: f.id,
            name: f.name,
            kind: f.kind,
            lat: f.location.lat,
            lon: f.location.lon,
            address: f.address ?? null,
            opening_hours: f.openingHours ?? null,
            almost_full_threshold: f.almostFullThreshold,
            time_zone: f.timeZone,
            min_known_share: f.minKnownShare,
            tags: f.tags,
            capacity: f.capacity ?? null,
          })),
        )
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet((eb) => ({
              name: eb.ref('excluded.name'),
              kind: eb.ref('excluded.kind'),
              lat: eb.ref('excluded.lat'),
              lon: eb.ref('excluded.lon'),
              address: eb.ref('excluded.address'),
              opening_hours: eb.ref('excluded.opening_hours'),
              almost_full_threshold: eb.ref('excluded.almost_full_threshold'),
              time_zone: eb.ref('excluded.time_zone'),
              min_known_share: eb.ref('excluded.min_known_share'),
              tags: eb.ref('excluded.tags'),
              capacity: eb.ref('excluded.capacity'),
              updated_at: now,
            }))
            .where(sql<boolean>`(facilities.name, facilities.kind, facilities.lat, facilities.lon, facilities.address, facilities.opening_hours,
              facilities.almost_full_threshold, facilities.time_zone, facilities.min_known_share, facilities.tags, facilities.capacity)
            IS DISTINCT FROM (excluded.name, excluded.kind, excluded.lat, excluded.lon, excluded.address, excluded.opening_hours,
              excluded.almost_full_threshold, excluded.time_zone, excluded.min_known_share, excluded.tags, excluded.capacity)`),
        )
        .returning('id')
        .execute();
      for (const r of upserted) touched.add(r.id);
      await trx
        .insertInto('facility_state')
        .values(facilities.map((f) => ({ facility_id: f.id, by_category: '{}', status: 'unknown', updated_at: now }) as never))
        .onConflict((oc) => oc.column('facility_id').doNothing())
        .execute();
    }
    const spots = facilities.flatMap((f) =>
      f.spots.map((s) => ({ id: s.id, facility_id: f.id, category: s.category, amenities: s.amenities })),
    );
    for (let i = 0; i < spots.length; i += 1000) {
      const changed = await trx
        .insertInto('spots')
        .values(spots.slice(i, i + 1000))
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet((eb) => ({
              facility_id: eb.ref('excluded.facility_id'),
              category: eb.ref('excluded.category'),
              amenities: eb.ref('excluded.amenities'),
            }))
            .where(sql<boolean>`(spots.facility_id, spots.category, spots.amenities)
            IS DISTINCT FROM (excluded.facility_id, excluded.category, excluded.amenities)`),
        )
        .returning(['id', 'facility_id'])
        .execute();
      // A moved spot changes both facilities: the one it left and the one it joined.
      for (const r of changed) touched.add(r.facility_id).add(owners.spots.get(r.id) ?? r.facility_id);
    }
    await upsertSensorModels(trx, registry.sensorModels, now);
    await importOpenData(trx, registry, now);
    // Sources feed their facilities through synthetic counters, registered like any counter.
    const sensors = [...registry.sensors, ...sourceCounterSensors(registry.sources)];
    if (sensors.length > 0) {
      const spotOf = new Map(sensors.flatMap((s) => (s.kind === 'bay' ? [[s.id, s.spotId] as const] : [])));
      const ownerOf = new Map(facilities.flatMap((f) => f.spots.map((s) => [s.id, f.id] as const)));
      // Free the spots this import assigns to another sensor, and the sensors it moves, so moving a
      // sensor to another spot never trips the unique key; a sensor staying on its spot is left alone.
      const freed = await sql<{ id: string; spot_id: string }>`
        UPDATE sensors se SET spot_id = NULL FROM sensors prev
        WHERE se.id = prev.id AND se.spot_id IS NOT NULL
          AND (se.spot_id = ANY(${[...spotOf.values()]}::text[]) OR se.id = ANY(${sensors.map((s) => s.id)}::text[]))
          AND (se.id, se.spot_id) NOT IN (SELECT * FROM unnest(${[...spotOf.keys()]}::text[], ${[...spotOf.values()]}::text[]))
        RETURNING se.id, prev.spot_id`.execute(trx);
      for (const r of freed.rows) {
        const owner = owners.sensors.get(r.id) ?? owners.spots.get(r.spot_id);
        if (owner) touched.add(owner);
      }
      for (let i = 0; i < sensors.length; i += 1000) {
        const changed = await trx
          .insertInto('sensors')
          .values(
            sensors.slice(i, i + 1000).map((s) => ({
              id: s.id,
              kind: s.kind,
              model: s.model,
              spot_id: s.kind === 'bay' ? s.spotId : null,
              facility_id: s.kind === 'counter' ? s.facilityId : null,
              heartbeat_interval_seconds: s.heartbeatIntervalSeconds,
              lorawan: s.kind === 'bay' && s.lorawan ? JSON.stringify(s.lorawan) : null,
            })),
          )
          .onConflict((oc) =>
            oc
              .column('id')
              .doUpdateSet((eb) => ({
                kind: eb.ref('excluded.kind'),
                model: eb.ref('excluded.model'),
                spot_id: eb.ref('excluded.spot_id'),
                facility_id: eb.ref('excluded.facility_id'),
                heartbeat_interval_seconds: eb.ref('excluded.heartbeat_interval_seconds'),
                lorawan: eb.ref('excluded.lorawan'),
              }))
              .where(sql<boolean>`(sensors.kind, sensors.model, sensors.spot_id, sensors.facility_id, sensors.heartbeat_interval_seconds, sensors.lorawan)
              IS DISTINCT FROM (excluded.kind, excluded.model, excluded.spot_id, excluded.facility_id, excluded.heartbeat_interval_seconds, excluded.lorawan)`),
          )
          .returning(['id', 'spot_id', 'facility_id'])
          .execute();
        for (const r of changed) {
          const owner = owners.sensors.get(r.id);
          if (owner) touched.add(owner);
          const joined = r.facility_id ?? (r.spot_id ? ownerOf.get(r.spot_id) : undefined);
          if (joined) touched.add(joined);
        }
      }
    }
    const recounted = await refreshFacilityState(trx, [...new Set([...facilities.map((f) => f.id), ...touched])], now);
    const counted = new Set(recounted.map((c) => c.facilityId));
    const bumped = await bumpFacilityVersions(
      trx,
      [...touched].filter((id) => !counted.has(id)),
    );
    // Without the state: names, places or thresholds may have changed too, so listeners read the facility back.
    const changedFacilities = [...recounted.map(({ facilityId, version }) => ({ facilityId, version })), ...bumped];
    await notifyFacilityChanges(trx, changedFacilities);
    return { facilities: facilities.length, spots: spots.length, sensors: sensors.length, changedFacilities };
  });
}

/** True when no facility is registered yet (a fresh database). */
export async function isRegistryEmpty(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('facilities').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}
