import type { FacilityRecord, FacilityStateRecord, SpotRecord } from '@freiplatz/db';
import type { Counts, SpotStatus } from '@freiplatz/domain';

const countsOf = (c: Counts) => ({ capacity: c.capacity, free: c.free, occupied: c.occupied, unknown: c.unknown });

/** The availability summary shown in lists. */
export function toAvailabilityView(s: FacilityStateRecord) {
  return { ...countsOf(s), status: s.status, updatedAt: s.updatedAt.toISOString() };
}

/** A facility as listed by `GET /v1/facilities`. */
export function toFacilitySummaryView(f: FacilityRecord) {
  return { id: f.id, name: f.name, kind: f.kind, location: f.location, availability: toAvailabilityView(f.state) };
}

/** A facility as shown by `GET /v1/facilities/{id}`. */
export function toFacilityDetailView(f: FacilityRecord) {
  const byCategory = Object.fromEntries(Object.entries(f.state.byCategory).map(([category, c]) => [category, countsOf(c)]));
  return {
    id: f.id,
    name: f.name,
    kind: f.kind,
    location: f.location,
    address: f.address,
    openingHours: f.openingHours,
    tags: f.tags,
    availability: { ...toAvailabilityView(f.state), confidence: f.state.confidence, byCategory },
  };
}

/** The signage resource `GET /v1/facilities/{id}/availability`. */
export function toFacilityAvailabilityView(f: FacilityRecord) {
  return { id: f.id, ...toAvailabilityView(f.state) };
}

/** A spot with the status computed for it right now. */
export function toSpotView(s: SpotRecord, status: SpotStatus) {
  return { id: s.id, category: s.category, sensorId: s.sensor?.id ?? null, status, amenities: s.amenities };
}
