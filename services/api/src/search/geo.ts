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

/** The facilities of one grid cell, with coordinates laid out for a tight distance loop. */
interface Cell {
  readonly slots: FacilitySlot[];
  readonly lat: number[];
  readonly lon: number[];
  /** √cos(lat) of each slot, for the longitude lower bound. */
  readonly sqrtCos: number[];
}

/** Facilities bucketed in cells of `cellDeg` degrees, for nearest-first search without scanning all. */
export interface GridIndex {
  readonly cellDeg: number;
  readonly cells: ReadonlyMap<number, Cell>;
  readonly minI: number;
  readonly maxI: number;
  readonly minJ: number;
  readonly maxJ: number;
}

const cellKey = (i: number, j: number) => (i + 20_000) * 50_000 + (j + 25_000);

/** Builds a grid over the slots; 0.01° cells are about 1.1 km high. */
export function buildGridIndex(slots: readonly FacilitySlot[], cellDeg = 0.01): GridIndex {
  const cells = new Map<number, Cell>();
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
    let cell = cells.get(key);
    if (!cell) {
      cell = { slots: [], lat: [], lon: [], sqrtCos: [] };
      cells.set(key, cell);
    }
    cell.slots.push(slot);
    cell.lat.push(slot.lat);
    cell.lon.push(slot.lon);
    cell.sqrtCos.push(Math.sqrt(Math.max(0, Math.cos(slot.lat * RAD))));
  }
  return { cellDeg, cells, minI, maxI, minJ, maxJ };
}

export interface Hit {
  slot: FacilitySlot;
  distance: number;
}

/** Orders hits by distance, then id (the cursor order). */
export const compareHits = (a: Hit, b: Hit) => a.distance - b.distance || (a.slot.id < b.slot.id ? -1 : a.slot.id > b.slot.id ? 1 : 0);

// Lower bounds below are exact in real arithmetic; this slack keeps float rounding from ever excluding a point at the bound.
const SLACK = 1 + 1e-9;

/**
 * A lower bound of the haversine distance that needs no trigonometry: the latitude difference alone,
 * and hav(d) ≥ cosφ1·cosφ2·hav(Δλ) with sin x ≥ x − x³/6 and asin y ≥ y for the longitude.
 */
function lowerBoundMetres(dLatDeg: number, dLonDeg: number, sqrtCos1: number, sqrtCos2: number): number {
  const byLat = Math.abs(dLatDeg) * METRES_PER_DEGREE;
  const x = (Math.abs(dLonDeg) * RAD) / 2;
  const byLon = x >= Math.PI / 2 ? 0 : 2 * EARTH_RADIUS_M * sqrtCos1 * sqrtCos2 * (x - (x * x * x) / 6);
  return Math.max(byLat, byLon) / SLACK;
}

/**
 * The `want` nearest slots within `radius` metres of (lat, lon) that pass `accept`, nearest first.
 * Walks rings of cells outwards and stops once no unvisited cell can hold anything nearer; a point
 * is measured exactly (haversine) only when a cheap lower bound does not already rule it out.
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
  const sqrtCosQ = Math.sqrt(Math.max(0, Math.cos(lat * RAD)));
  const hits: Hit[] = [];
  // Nothing farther than this can make the result: the radius, then the want-th hit so far.
  let bound = radius;
  for (let r = 0; ; r++) {
    // Any point in ring r lies at least r-1 whole cells away; cells narrow towards the poles.
    const cosLat = Math.cos(Math.min(89.9, Math.abs(lat) + (r + 1) * grid.cellDeg) * RAD);
    const lowerBound = Math.max(0, r - 1) * grid.cellDeg * METRES_PER_DEGREE * cosLat;
    if (lowerBound > radius) break;
    if (hits.length >= want) {
      hits.sort(compareHits);
      hits.length = want;
      bound = Math.min(radius, (hits[want - 1] as Hit).distance);
      if (bound <= lowerBound) break;
    }
    if (ci - r < grid.minI && ci + r > grid.maxI && cj - r < grid.minJ && cj + r > grid.maxJ) break;
    for (let i = ci - r; i <= ci + r; i++) {
      if (i < grid.minI || i > grid.maxI) continue;
      const edge = i === ci - r || i === ci + r;
      for (let j = cj - r; j <= cj + r; j += edge || r === 0 ? 1 : 2 * r) {
        const cell = grid.cells.get(cellKey(i, j));
        if (!cell) continue;
        const { slots: members, lat: lats, lon: lons, sqrtCos } = cell;
        for (let k = 0; k < members.length; k++) {
          const sLat = lats[k] as number;
          const sLon = lons[k] as number;
          if (lowerBoundMetres(sLat - lat, sLon - lon, sqrtCosQ, sqrtCos[k] as number) > bound) continue;
          const distance = distanceMetres(lat, lon, sLat, sLon);
          const slot = members[k] as FacilitySlot;
          if (distance <= radius && accept(slot, distance)) hits.push({ slot, distance });
        }
      }
    }
  }
  hits.sort(compareHits);
  if (hits.length > want) hits.length = want;
  return hits;
}
