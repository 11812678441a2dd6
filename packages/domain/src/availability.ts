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

/** One category's counts with the status decided from them alone. */
export interface CategoryAvailability extends Counts {
  status: FacilityStatus;
}

export interface FacilityAvailability extends Counts {
  status: FacilityStatus;
  /** Share of spots (not closed) with fresh data, 0..1. */
  confidence: number;
  byCategory: Partial<Record<SpotCategory, CategoryAvailability>>;
}

/**
 * Below this share of known spots ((free + occupied) / (capacity − closed)) a facility's or a
 * category's status is `unknown`: one heard sensor among thirty says nothing about the rest.
 */
export const DEFAULT_MIN_KNOWN_SHARE = 0.5;

/** What a facility's status depends on besides its counts. */
export interface StatusPolicy {
  /** Share of usable capacity at or below which free spaces count as almost full. */
  almostFullThreshold: number;
  /** Share of usable capacity that must be known for any status but `unknown` (default 0.5). */
  minKnownShare?: number;
  /** From the opening hours at the moment of counting: false means closed; null means not known (no hours). */
  openNow?: boolean | null;
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

/**
 * Decides a status from counts (a facility's or one category's): `closed` outside opening hours or
 * with every spot closed; `unknown` while too few spots are known; then `full`, `almost_full`,
 * `open`. Unknown spots are never counted as free.
 */
export function computeFacilityStatus(counts: Counts, policy: StatusPolicy): FacilityStatus {
  const usable = counts.capacity - counts.closed;
  if (policy.openNow === false) return 'closed';
  if (counts.capacity > 0 && usable === 0) return 'closed';
  const known = counts.free + counts.occupied;
  if (known === 0 || known < usable * (policy.minKnownShare ?? DEFAULT_MIN_KNOWN_SHARE)) return 'unknown';
  if (counts.free === 0) return 'full';
  if (counts.free <= Math.max(1, Math.floor(usable * policy.almostFullThreshold))) return 'almost_full';
  return 'open';
}

/** Summarises per-category counts into a facility's availability; each category gets its own status by the same rule. */
export function summarizeFacility(categories: readonly CategoryCounts[], policy: StatusPolicy): FacilityAvailability {
  const total = emptyCounts();
  const byCategory: Partial<Record<SpotCategory, CategoryAvailability>> = {};
  for (const { category, ...counted } of categories) {
    const c: Counts = {
      capacity: counted.capacity,
      free: counted.free,
      occupied: counted.occupied,
      unknown: counted.unknown,
      closed: counted.closed,
    };
    total.capacity += c.capacity;
    total.free += c.free;
    total.occupied += c.occupied;
    total.unknown += c.unknown;
    total.closed += c.closed;
    byCategory[category] = { ...c, status: computeFacilityStatus(c, policy) };
  }
  const usable = total.capacity - total.closed;
  const confidence = usable === 0 ? 0 : Math.round(((total.free + total.occupied) / usable) * 1000) / 1000;
  return { ...total, status: computeFacilityStatus(total, policy), confidence, byCategory };
}
