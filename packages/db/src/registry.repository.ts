import { type Registry, sourceCounterSensors } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { type ChangedFacility, notifyFacilityChanges, refreshFacilityState } from './facility-state.repository.js';
import { importOpenData } from './open-data.repository.js';
import { upsertSensorModels } from './sensor-models.repository.js';

export interface ImportResult {
  facilities: number;
  spots: number;
  sensors: number;
  changedFacilities: ChangedFacility[];
}

/** Upserts a validated registry in one transaction; importing the same file twice changes nothing. */
export async function importRegistry(db: Kysely<Database>, registry: Registry, now = new Date()): Promise<ImportResult> {
  return db.transaction().execute(async (trx) => {
    const facilities = registry.facilities;
    if (facilities.length > 0) {
      await trx
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
            tags: f.tags,
            capacity: f.capacity ?? null,
          })),
        )
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            kind: eb.ref('excluded.kind'),
            lat: eb.ref('excluded.lat'),
            lon: eb.ref('excluded.lon'),
            address: eb.ref('excluded.address'),
            opening_hours: eb.ref('excluded.opening_hours'),
            almost_full_threshold: eb.ref('excluded.almost_full_threshold'),
            tags: eb.ref('excluded.tags'),
            capacity: eb.ref('excluded.capacity'),
            updated_at: now,
          })),
        )
        .execute();
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
      await trx
        .insertInto('spots')
        .values(spots.slice(i, i + 1000))
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            facility_id: eb.ref('excluded.facility_id'),
            category: eb.ref('excluded.category'),
            amenities: eb.ref('excluded.amenities'),
          })),
        )
        .execute();
    }
    await upsertSensorModels(trx, registry.sensorModels, now);
    await importOpenData(trx, registry, now);
    // Sources feed their facilities through synthetic counters, registered like any counter.
    const sensors = [...registry.sensors, ...sourceCounterSensors(registry.sources)];
    if (sensors.length > 0) {
      // Free the spots this import assigns, so moving a sensor to another spot never trips the unique key.
      await sql`UPDATE sensors SET spot_id = NULL
        WHERE spot_id = ANY(${sensors.flatMap((s) => (s.kind === 'bay' ? [s.spotId] : []))}::text[]) OR id = ANY(${sensors.map((s) => s.id)}::text[])`.execute(
        trx,
      );
      for (let i = 0; i < sensors.length; i += 1000) {
        await trx
          .insertInto('sensors')
          .values(
            sensors.slice(i, i + 1000).map((s) => ({
              id: s.id,
              kind: s.kind,
              model: s.model,
              spot_id: s.kind === 'bay' ? s.spotId : null,
              facility_id: s.kind === 'counter' ? s.facilityId : null,
              heartbeat_interval_seconds: s.heartbeatIntervalSeconds,
            })),
          )
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              kind: eb.ref('excluded.kind'),
              model: eb.ref('excluded.model'),
              spot_id: eb.ref('excluded.spot_id'),
              facility_id: eb.ref('excluded.facility_id'),
              heartbeat_interval_seconds: eb.ref('excluded.heartbeat_interval_seconds'),
            })),
          )
          .execute();
      }
    }
    const changedFacilities = await refreshFacilityState(
      trx,
      facilities.map((f) => f.id),
      now,
    );
    // Without the state: names, places or thresholds may have changed too, so listeners read the facility back.
    await notifyFacilityChanges(
      trx,
      changedFacilities.map(({ facilityId, version }) => ({ facilityId, version })),
    );
    return { facilities: facilities.length, spots: spots.length, sensors: sensors.length, changedFacilities };
  });
}

/** True when no facility is registered yet (a fresh database). */
export async function isRegistryEmpty(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('facilities').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}
