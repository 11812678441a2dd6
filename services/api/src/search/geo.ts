import type { FacilitySlot } from '../state/facility-entry.js';

const EARTH_RADIUS_M = 6_371_008.8;
const METRES_PER_DEGREE = (Math.PI / 180) * EARTH_RADIUS_M;
const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine). */
export function distanceMetres(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Facilities bucketed in cells of `cellDeg` degrees, for nearest-first search without scanning all. */
export interface GridIndex {
  readonly cellDeg: number;
  readonly cells: ReadonlyMap<number, readonly FacilitySlot[]>;
  readonly minI: number;
  readonly maxI: number;
  readonly minJ: number;
  readonly maxJ: number;
}

const cellKey = (i: number, j: number) => (i + 20_000) * 50_000 + (j + 25_000);

/** Builds a grid over the slots; 0.01° cells are about 1.1 km high. */
export function buildGridIndex(slots: readonly FacilitySlot[], cellDeg = 0.01): GridIndex {
  const cells = new Map<number, FacilitySlot[]>();
  let minI = Infinity;
  let maxI = -Infinity;
  let minJ = Infinity;
  let maxJ = -Infinity;
  for (const slot of slots) {
    const i = Math.floor(slot.lat / cellDeg);
    const j = Math.floor(slot.lon / cellDeg);
    minI = Math.min(minI, i);
    maxI = Math.max(maxI, i);
    minJ = Math.min(minJ, j);
    maxJ = Math.max(maxJ, j);
    const key = cellKey(i, j);
    const cell = cells.get(key);
    if (cell) cell.push(slot);
    else cells.set(key, [slot]);
  }
  return { cellDeg, cells, minI, maxI, minJ, maxJ };
}

export interface Hit {
  slot: FacilitySlot;
  distance: number;
}

/** Orders hits by distance, then id (the cursor order). */
export const compareHits = (a: Hit, b: Hit) => a.distance - b.distance || (a.slot.id < b.slot.id ? -1 : a.slot.id > b.slot.id ? 1 : 0);

/**
 * The `want` nearest slots within `radius` metres of (lat, lon) that pass `accept`, nearest first.
 * Walks rings of cells outwards and stops once no unvisited cell can hold anything nearer.
 */
export function findNearest(
  grid: GridIndex,
  lat: number,
  lon: number,
  radius: number,
  want: number,
  accept: (slot: FacilitySlot, distance: number) => boolean,
): Hit[] {
  if (grid.cells.size === 0) return [];
  const ci = Math.floor(lat / grid.cellDeg);
  const cj = Math.floor(lon / grid.cellDeg);
  const hits: Hit[] = [];
  for (let r = 0; ; r++) {
    // Any point in ring r lies at least r-1 whole cells away; cells narrow towards the poles.
    const cosLat = Math.cos(Math.min(89.9, Math.abs(lat) + (r + 1) * grid.cellDeg) * RAD);
    const lowerBound = Math.max(0, r - 1) * grid.cellDeg * METRES_PER_DEGREE * cosLat;
    if (lowerBound > radius) break;
    if (hits.length >= want) {
      hits.sort(compareHits);
      hits.length = want;
      if ((hits[want - 1] as Hit).distance <= lowerBound) break;
    }
    if (ci - r < grid.minI && ci + r > grid.maxI && cj - r < grid.minJ && cj + r > grid.maxJ) break;
    for (let i = ci - r; i <= ci + r; i++) {
      if (i < grid.minI || i > grid.maxI) continue;
      const edge = i === ci - r || i === ci + r;
      for (let j = cj - r; j <= cj + r; j += edge || r === 0 ? 1 : 2 * r) {
        const cell = grid.cells.get(cellKey(i, j));
        if (!cell) continue;
        for (const slot of cell) {
          const distance = distanceMetres(lat, lon, slot.lat, slot.lon);
          if (distance <= radius && accept(slot, distance)) hits.push({ slot, distance });
        }
      }
    }
  }
  hits.sort(compareHits);
  if (hits.length > want) hits.length = want;
  return hits;
}
