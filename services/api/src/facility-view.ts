import type { FacilityRecord, FacilityStateRecord, SpotRecord } from '@freiplatz/db';
import type { CategoryAvailability, Counts, SpotCategory, SpotStatus } from '@freiplatz/domain';

/** Counts as the API shows them: free + occupied + unknown + closed = capacity. */
const countsOf = (c: Counts) => ({ capacity: c.capacity, free: c.free, occupied: c.occupied, unknown: c.unknown, closed: c.closed });

/** A category the facility has no spots of: nothing to count, nothing known. */
const NO_SPOTS: CategoryAvailability = { capacity: 0, free: 0, occupied: 0, unknown: 0, closed: 0, status: 'unknown' };

/** One category's counts and its own status (never the facility's). */
export function categoryOf(s: FacilityStateRecord, category: SpotCategory): CategoryAvailability {
  return s.byCategory[category] ?? NO_SPOTS;
}

/** The availability summary shown in lists: the facility's, or with `category` that category's counts and status. */
export function toAvailabilityView(s: FacilityStateRecord, category: SpotCategory | null = null) {
  const of = category === null ? s : categoryOf(s, category);
  return { ...countsOf(of), status: of.status, updatedAt: s.updatedAt.toISOString() };
}

/** The requested category's counts and status, named, as list items carry them with `category`. */
export function toCategoryView(s: FacilityStateRecord, category: SpotCategory) {
  const c = categoryOf(s, category);
  return { name: category, ...countsOf(c), status: c.status };
}

/** A facility as listed by `GET /v1/facilities` (with `category`, its availability is that category's). */
export function toFacilitySummaryView(f: FacilityRecord, category: SpotCategory | null = null) {
  return { id: f.id, name: f.name, kind: f.kind, location: f.location, availability: toAvailabilityView(f.state, category) };
}

/** The opening hours as OSM text, whether they say open now, and when that next changes; null without hours. */
export function toOpeningHoursView(f: FacilityRecord) {
  if (f.openingHours === null) return null;
  return {
    osm: f.openingHours,
    timeZone: f.timeZone,
    openNow: f.state.openNow,
    nextChange: f.state.hoursChangeAt?.toISOString() ?? null,
  };
}

/** A facility as shown by `GET /v1/facilities/{id}`. */
export function toFacilityDetailView(f: FacilityRecord) {
  const byCategory = Object.fromEntries(
    Object.entries(f.state.byCategory).map(([category, c]) => [category, { ...countsOf(c), status: c.status }]),
  );
  return {
    id: f.id,
    name: f.name,
    kind: f.kind,
    location: f.location,
    address: f.address,
    openingHours: toOpeningHoursView(f),
    tags: f.tags,
    availability: { ...toAvailabilityView(f.state), confidence: f.state.confidence, minKnownShare: f.minKnownShare, byCategory },
  };
}

/** The signage resource `GET /v1/facilities/{id}/availability[?category=…]`. */
export function toFacilityAvailabilityView(f: FacilityRecord, category: SpotCategory | null = null) {
  return { id: f.id, ...(category === null ? {} : { category }), ...toAvailabilityView(f.state, category) };
}

/** The bare free count for LED signs: `-` when the status is unknown, `0` when closed (of the facility, or of `category`). */
export function toAvailabilityText(f: FacilityRecord, category: SpotCategory | null = null): string {
  const of = category === null ? f.state : categoryOf(f.state, category);
  if (of.status === 'unknown') return '-';
  // A bare number cannot say "closed": spaces behind a closed gate are none a driver can use.
  return of.status === 'closed' ? '0' : String(of.free);
}

/** A spot with the status computed for it right now. */
export function toSpotView(s: SpotRecord, status: SpotStatus) {
  return { id: s.id, category: s.category, sensorId: s.sensor?.id ?? null, status, amenities: s.amenities };
}
