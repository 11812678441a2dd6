import type { Counts, FacilityKind, FacilityStatus, SpotCategory } from '@freiplatz/domain';
import type { FacilityEntry } from '../state/facility-entry.js';
import { freeOf } from './feed.js';
import type { Publication } from './publication.js';
import type { SpotSnapshot } from './spot-snapshot.js';

// Field names and enums: ParkenDD/park-api-v3 webapp/shared/parking_site/parking_sites_schema.py and
// ParkenDD/parkapi-sources-v3 src/parkapi_sources/models/parking_site_inputs.py, enums.py
// (the JSON Schema test/fixtures/opendata/parkapi-v3.schema.json holds the output to them).

const SITE_TYPE: Record<FacilityKind, string> = {
  car_park: 'CAR_PARK',
  park_and_ride: 'OFF_STREET_PARKING_GROUND',
  rv_site: 'OFF_STREET_PARKING_GROUND',
  on_street: 'ON_STREET',
};

/** Spot categories as ParkAPI v3 audiences (`ParkingAudience`); standard and motorcycle spots have none. */
export const AUDIENCE: Partial<Record<SpotCategory, string>> = {
  disabled: 'DISABLED',
  ev: 'CHARGING',
  camper: 'CARAVAN',
  family: 'FAMILY',
  bus: 'BUS',
  truck: 'TRUCK',
};

/** ParkAPI v3 `realtime_opening_status`. */
export const openingStatusOf = (status: FacilityStatus) => (status === 'closed' ? 'CLOSED' : status === 'unknown' ? 'UNKNOWN' : 'OPEN');

/** Free spaces as ParkAPI shows them: unknown spaces never count (omitted when the status is unknown). */
const freeField = (c: Counts, status: FacilityStatus) => {
  const { free } = freeOf({ ...c, status });
  return free === null ? {} : { realtime_free_capacity: free };
};

function toParkingSite(e: FacilityEntry, p: Publication) {
  const f = e.record;
  const s = f.state;
  const restrictions = (Object.entries(s.byCategory) as Array<[SpotCategory, Counts]>).flatMap(([category, c]) => {
    const type = AUDIENCE[category];
    return type ? [{ type, capacity: c.capacity, realtime_capacity: c.capacity - c.closed, ...freeField(c, s.status) }] : [];
  });
  return {
    uid: f.id,
    name: f.name,
    purpose: 'CAR',
    type: SITE_TYPE[f.kind],
    ...(f.address ? { address: f.address } : {}),
    ...(f.openingHours ? { opening_hours: f.openingHours } : {}),
    operator_name: p.publisher,
    lat: f.location.lat,
    lon: f.location.lon,
    ...(f.kind === 'park_and_ride' ? { park_and_ride_type: ['YES'] } : {}),
    tags: f.tags,
    has_realtime_data: true,
    capacity: s.capacity,
    restrictions,
    realtime_data_updated_at: s.updatedAt.toISOString(),
    realtime_opening_status: openingStatusOf(s.status),
    realtime_capacity: s.capacity - s.closed,
    ...freeField(s, s.status),
  };
}

/** ParkAPI v3 `parking-sites`: `{items}` with licence and attribution beside them. */
export function renderParkApiSites(entries: readonly FacilityEntry[], p: Publication): string {
  return JSON.stringify({ license: p.licence, attribution: p.attribution, items: entries.map((e) => toParkingSite(e, p)) });
}

const SPOT_STATUS = { free: 'AVAILABLE', occupied: 'TAKEN', unknown: 'UNKNOWN', closed: 'UNKNOWN' } as const;

/** ParkAPI v3 `parking-spots` of facilities with their spots (a closed bay is not available: UNKNOWN, as ParkAPI has no CLOSED). */
export function renderParkApiSpots(
  entries: readonly FacilityEntry[],
  spots: ReadonlyMap<string, readonly SpotSnapshot[]>,
  p: Publication,
): string {
  const items = entries.flatMap((e) => {
    const f = e.record;
    return (spots.get(f.id) ?? []).map((s) => {
      const audience = AUDIENCE[s.category];
      return {
        uid: s.id,
        name: `${f.name} ${s.id}`,
        parking_site_uid: f.id,
        purpose: 'CAR',
        type: SITE_TYPE[f.kind],
        lat: f.location.lat,
        lon: f.location.lon,
        has_realtime_data: s.sensorId !== null,
        restrictions: audience ? [{ type: audience }] : [],
        realtime_status: SPOT_STATUS[s.status],
        realtime_data_updated_at: f.state.updatedAt.toISOString(),
      };
    });
  });
  return JSON.stringify({ license: p.licence, attribution: p.attribution, items });
}
