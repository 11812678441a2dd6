import type { SpotCategory } from './registry.schema.js';

export type SpotStatus = 'free' | 'occupied' | 'unknown' | 'closed';
export type FacilityStatus = 'open' | 'almost_full' | 'full' | 'closed' | 'unknown';

/** A sensor is silent too long once this many heartbeat intervals pass without a message. */
export const DEFAULT_STALE_FACTOR = 2.5;

export interface SpotInput {
  closed?: boolean;
  sensor: { heartbeatIntervalSeconds: number } | null;
  /** Latest known sensor state; null when the sensor was never heard. */
  state: { occupied: boolean; lastSeenAt: Date; fault?: boolean } | null;
}

/** Decides what a spot shows: unknown unless a sensor spoke recently and without fault. */
export function computeSpotStatus(spot: SpotInput, now: Date, staleFactor = DEFAULT_STALE_FACTOR): SpotStatus {
  if (spot.closed) return 'closed';
  if (!spot.sensor || !spot.state || spot.state.fault) return 'unknown';
  const silentMs = now.getTime() - spot.state.lastSeenAt.getTime();
  if (silentMs > spot.sensor.heartbeatIntervalSeconds * 1000 * staleFactor) return 'unknown';
  return spot.state.occupied ? 'occupied' : 'free';
}

export interface Counts {
  capacity: number;
  free: number;
  occupied: number;
  unknown: number;
  closed: number;
}

export interface FacilityAvailability extends Counts {
  status: FacilityStatus;
  /** Share of spots (not closed) with fresh data, 0..1. */
  confidence: number;
  byCategory: Partial<Record<SpotCategory, Counts>>;
}

export interface CategoryCounts extends Counts {
  category: SpotCategory;
}

const emptyCounts = (): Counts => ({ capacity: 0, free: 0, occupied: 0, unknown: 0, closed: 0 });

/** Tallies spot statuses per category, as the database does for many spots at once. */
export function countSpots(spots: ReadonlyArray<{ category: SpotCategory; status: SpotStatus }>): CategoryCounts[] {
  const byCategory = new Map<SpotCategory, Counts>();
  for (const spot of spots) {
    const c = byCategory.get(spot.category) ?? emptyCounts();
    c.capacity += 1;
    c[spot.status] += 1;
    byCategory.set(spot.category, c);
  }
  return [...byCategory].map(([category, c]) => ({ category, ...c }));
}

/** Decides a facility's status from its counts; unknown spots are never counted as free. */
export function computeFacilityStatus(counts: Counts, almostFullThreshold: number): FacilityStatus {
  const usable = counts.capacity - counts.closed;
  if (counts.capacity > 0 && usable === 0) return 'closed';
  if (counts.free + counts.occupied === 0) return 'unknown';
  if (counts.free === 0) return 'full';
  if (counts.free <= Math.max(1, Math.floor(usable * almostFullThreshold))) return 'almost_full';
  return 'open';
}

/** Summarises per-category counts into a facility's availability. */
export function summarizeFacility(categories: readonly CategoryCounts[], almostFullThreshold: number): FacilityAvailability {
  const total = emptyCounts();
  const byCategory: Partial<Record<SpotCategory, Counts>> = {};
  for (const { category, ...c } of categories) {
    total.capacity += c.capacity;
    total.free += c.free;
    total.occupied += c.occupied;
    total.unknown += c.unknown;
    total.closed += c.closed;
    byCategory[category] = c;
  }
  const usable = total.capacity - total.closed;
  const confidence = usable === 0 ? 0 : Math.round(((total.free + total.occupied) / usable) * 1000) / 1000;
  return { ...total, status: computeFacilityStatus(total, almostFullThreshold), confidence, byCategory };
}
