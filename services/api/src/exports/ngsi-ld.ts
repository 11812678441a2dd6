import type { FacilityRecord } from '@freiplatz/db';
import type { FacilityStatus, SpotCategory, SpotStatus } from '@freiplatz/domain';
import { freeOf } from './feed.js';
import type { Publication } from './publication.js';

// Entities of the FIWARE Smart Data Models OffStreetParking, OnStreetParking and ParkingSpot
// (test/fixtures/schemas/fiware-parking: the tests validate every entity against them).

/** The JSON-LD context of the parking models, sent as a Link header (or in the body for application/ld+json). */
export const NGSI_LD_CONTEXT = 'https://raw.githubusercontent.com/smart-data-models/dataModel.Parking/master/context.jsonld';
export const NGSI_LD_CORE_CONTEXT = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld';
export const ngsiEntityTypes = ['OffStreetParking', 'OnStreetParking', 'ParkingSpot'] as const;
export type NgsiEntityType = (typeof ngsiEntityTypes)[number];

export const siteTypeOf = (f: Pick<FacilityRecord, 'kind'>): NgsiEntityType =>
  f.kind === 'on_street' ? 'OnStreetParking' : 'OffStreetParking';
export const entityId = (type: NgsiEntityType, id: string) => `urn:ngsi-ld:${type}:${id}`;

const STATUS: Record<FacilityStatus, string | null> = {
  open: 'spacesAvailable',
  almost_full: 'almostFull',
  full: 'full',
  closed: 'closed',
  unknown: null,
};

const VEHICLE: Partial<Record<SpotCategory, string>> = { camper: 'caravan', motorcycle: 'motorcycle', bus: 'bus', truck: 'lorry' };

type KeyValues = Record<string, unknown>;
const point = (f: FacilityRecord) => ({ type: 'Point', coordinates: [f.location.lon, f.location.lat] });

/** A facility as a key-values entity: unknown spaces are never available; no availability at all while its status is unknown. */
export function toSiteEntity(f: FacilityRecord, p: Publication): KeyValues {
  const s = f.state;
  const type = siteTypeOf(f);
  const categories = Object.keys(s.byCategory) as SpotCategory[];
  const { free, exact } = freeOf(s);
  const status = STATUS[s.status];
  const category =
    type === 'OffStreetParking'
      ? [f.kind === 'car_park' ? 'parkingGarage' : 'parkingLot', 'public']
      : categories.includes('disabled') || categories.includes('ev')
        ? []
        : undefined;
  if (categories.includes('disabled')) category?.push('forDisabled');
  if (categories.includes('ev')) category?.push('forElectricalCharging');
  return {
    id: entityId(type, f.id),
    type,
    name: f.name,
    ...(f.address ? { description: f.address } : {}),
    location: point(f),
    dataProvider: p.attribution,
    ...(category && category.length > 0 ? { category } : {}),
    allowedVehicleType: ['car', ...categories.flatMap((c) => (VEHICLE[c] ? [VEHICLE[c]] : []))],
    totalSpotNumber: s.capacity,
    ...(free === null ? {} : { availableSpotNumber: free }),
    ...(exact ? { occupiedSpotNumber: s.occupied } : {}),
    ...(type === 'OffStreetParking' && status ? { status: [status] } : {}),
    observationDateTime: s.updatedAt.toISOString(),
    dateModified: s.updatedAt.toISOString(),
  };
}

/** A spot as a key-values ParkingSpot entity. */
export function toSpotEntity(
  spot: { id: string; category: SpotCategory; status: SpotStatus },
  site: FacilityRecord,
  p: Publication,
  at: Date,
): KeyValues {
  const siteType = siteTypeOf(site);
  return {
    id: entityId('ParkingSpot', spot.id),
    type: 'ParkingSpot',
    name: `${site.name} ${spot.id}`,
    location: point(site),
    dataProvider: p.attribution,
    status: spot.status,
    category: [siteType === 'OnStreetParking' ? 'onStreet' : 'offStreet'],
    refParkingSite: entityId(siteType, site.id),
    ...(spot.category !== 'standard' ? { description: spot.category } : {}),
    observationDateTime: at.toISOString(),
  };
}

const RELATIONSHIPS = new Set(['refParkingSite']);
const GEO = new Set(['location']);

/** The normalized representation of a key-values entity (Property, GeoProperty, Relationship). */
export function toNormalized(entity: KeyValues): KeyValues {
  const out: KeyValues = {};
  for (const [key, value] of Object.entries(entity)) {
    if (key === 'id' || key === 'type' || key === '@context') out[key] = value;
    else if (RELATIONSHIPS.has(key)) out[key] = { type: 'Relationship', object: value };
    else if (GEO.has(key)) out[key] = { type: 'GeoProperty', value };
    else out[key] = { type: 'Property', value };
  }
  return out;
}

/** Adds the `@context` an application/ld+json answer carries in its body. */
export const withContext = (entity: KeyValues): KeyValues => ({ ...entity, '@context': [NGSI_LD_CONTEXT, NGSI_LD_CORE_CONTEXT] });
