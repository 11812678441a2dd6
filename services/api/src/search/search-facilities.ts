import type { FacilityLayout } from '../state/facility-cache.js';
import type { FacilitySlot } from '../state/facility-entry.js';
import { buildGridIndex, findNearest, type GridIndex, type Hit } from './geo.js';
import type { SearchCursor, SearchQuery } from './search-query.js';

export interface SearchResult {
  hits: Hit[];
  /** Position after the last hit when more may follow. */
  next: SearchCursor | null;
}

const grids = new WeakMap<FacilityLayout, GridIndex>();

function gridOf(layout: FacilityLayout): GridIndex {
  let grid = grids.get(layout);
  if (!grid) {
    grid = buildGridIndex(layout.slots);
    grids.set(layout, grid);
  }
  return grid;
}

/** The filter of a query; null when it has none (a plain near or id search). */
function createFilter(q: SearchQuery): ((slot: FacilitySlot) => boolean) | null {
  if (!q.kinds && !q.bbox && !q.category && !q.available) return null;
  return (slot) => {
    const { record } = slot.entry;
    if (q.kinds && !q.kinds.has(record.kind)) return false;
    if (q.bbox && (slot.lon < q.bbox.minLon || slot.lon > q.bbox.maxLon || slot.lat < q.bbox.minLat || slot.lat > q.bbox.maxLat)) {
      return false;
    }
    const counts = q.category ? record.state.byCategory[q.category] : record.state;
    if (q.category && !(counts && counts.capacity > 0)) return false;
    // Free spaces behind a closed gate (outside opening hours) are not available.
    if (q.available && !(counts && counts.free > 0 && counts.status !== 'closed')) return false;
    return true;
  };
}

/** First index in the id-sorted slots whose id is greater than `id`. */
function indexAfter(slots: readonly FacilitySlot[], id: string): number {
  let lo = 0;
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((slots[mid] as FacilitySlot).id <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Runs a search over the in-memory facilities: nearest first with `near`, else by id. */
export function searchFacilities(layout: FacilityLayout, q: SearchQuery): SearchResult {
  const filter = createFilter(q);
  const want = q.limit + 1;
  let hits: Hit[];
  if (q.near) {
    const after = q.cursor?.by === 'distance' ? q.cursor : null;
    hits = findNearest(
      gridOf(layout),
      q.near.lat,
      q.near.lon,
      q.near.radius,
      want,
      after
        ? (slot, d) => (d > after.distance || (d === after.distance && slot.id > after.id)) && (filter === null || filter(slot))
        : filter,
    );
  } else {
    hits = [];
    const { slots } = layout;
    for (let i = q.cursor ? indexAfter(slots, q.cursor.id) : 0; i < slots.length && hits.length < want; i++) {
      const slot = slots[i] as FacilitySlot;
      if (filter === null || filter(slot)) hits.push({ slot, distance: 0 });
    }
  }
  if (hits.length <= q.limit) return { hits, next: null };
  hits.length = q.limit;
  const last = hits[q.limit - 1] as Hit;
  return { hits, next: q.near ? { by: 'distance', distance: last.distance, id: last.slot.id } : { by: 'id', id: last.slot.id } };
}
