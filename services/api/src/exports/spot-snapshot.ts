import { type Db, listSpotsOfFacilities, type SpotRecord } from '@freiplatz/db';
import { computeSpotStatus, type SpotCategory, type SpotStatus } from '@freiplatz/domain';
import { toSpotInput } from '../routes/facilities.js';
import type { FacilityEntry } from '../state/facility-entry.js';

/** A spot with its status as of the facility state it was read for. */
export interface SpotSnapshot {
  id: string;
  category: SpotCategory;
  status: SpotStatus;
  sensorId: string | null;
}

/**
 * Spots per facility, read again only for facilities whose state version moved since (a spot's
 * status cannot change without its facility's counts changing): a spot export reads the database
 * when something changed, never per request.
 */
export function createSpotSnapshot(db: Db, now: () => Date) {
  const byFacility = new Map<string, { version: number; spots: SpotSnapshot[] }>();
  const toSnapshot = (s: SpotRecord, at: Date): SpotSnapshot => ({
    id: s.id,
    category: s.category,
    status: computeSpotStatus(toSpotInput(s), at),
    sensorId: s.sensor?.id ?? null,
  });
  return {
    async spotsOf(entries: readonly FacilityEntry[]): Promise<Map<string, SpotSnapshot[]>> {
      const stale = entries.filter((e) => byFacility.get(e.id)?.version !== e.version);
      if (stale.length > 0) {
        const records = await listSpotsOfFacilities(
          db,
          stale.map((e) => e.id),
        );
        const at = now();
        const grouped = new Map<string, SpotSnapshot[]>(stale.map((e) => [e.id, []]));
        for (const r of records) grouped.get(r.facilityId)?.push(toSnapshot(r, at));
        for (const e of stale) byFacility.set(e.id, { version: e.version, spots: grouped.get(e.id) ?? [] });
      }
      return new Map(entries.map((e) => [e.id, byFacility.get(e.id)?.spots ?? []]));
    },
  };
}
