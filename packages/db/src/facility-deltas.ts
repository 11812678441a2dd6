import type { Counts, SpotCategory } from '@freiplatz/domain';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import type { LockedFacility } from './facility-locks.js';
import { refreshFacilityState } from './facility-recount.js';
import { type ChangedFacility, type FacilityCounts, writeFacilityStates } from './facility-state-write.js';

/** What an open spot contributes to its facility's counts (closure is counted from the spot). */
export type CountedStatus = 'free' | 'occupied' | 'unknown';

/** Open spots of one facility and category whose counted status moved from `from` to `to` in this transaction. */
export interface SpotStatusChange {
  facilityId: string;
  category: SpotCategory;
  from: CountedStatus;
  to: CountedStatus;
  /** How many spots made this move (default 1). */
  count?: number;
}

/**
 * Brings facility state up to date after sensor state changed, without recounting: each facility
 * locked by `lockFacilities` gets the old → new deltas of its spots applied to its stored
 * counts. Facilities that cannot be updated that way — not locked (no state row yet), counted by
 * counters, or whose stored counts would not take the delta (a category missing, a count below
 * zero: the invariant broke somewhere) — are recounted in full, as are `recount`.
 */
export async function applySpotStatusChanges(
  trx: Kysely<Database>,
  locked: ReadonlyMap<string, LockedFacility>,
  changes: readonly SpotStatusChange[],
  recount: readonly string[],
  now: Date,
): Promise<ChangedFacility[]> {
  const full = new Set(recount);
  const updated = new Map<string, Partial<Record<SpotCategory, Counts>>>();
  for (const c of changes) {
    const facility = locked.get(c.facilityId);
    if (facility === undefined || facility.counted) {
      full.add(c.facilityId);
      continue;
    }
    let byCategory = updated.get(c.facilityId);
    if (byCategory === undefined) {
      byCategory = structuredClone(facility.byCategory);
      updated.set(c.facilityId, byCategory);
    }
    const counts = byCategory[c.category];
    if (counts === undefined) {
      full.add(c.facilityId);
      continue;
    }
    const n = c.count ?? 1;
    counts[c.from] -= n;
    counts[c.to] += n;
  }
  const perFacility = new Map<string, FacilityCounts>();
  for (const [id, byCategory] of updated) {
    const categories = Object.entries(byCategory).map(([category, c]) => ({
      category: category as SpotCategory,
      capacity: c.capacity,
      free: c.free,
      occupied: c.occupied,
      unknown: c.unknown,
      closed: c.closed,
    }));
    if (full.has(id) || categories.some((c) => c.free < 0 || c.occupied < 0 || c.unknown < 0)) {
      full.add(id);
      continue;
    }
    perFacility.set(id, { policy: (locked.get(id) as LockedFacility).policy, categories });
  }
  const changed = await writeFacilityStates(trx, perFacility, now);
  if (full.size > 0) changed.push(...(await refreshFacilityState(trx, [...full], now)));
  return changed;
}
