import type { FacilitySlot } from '../state/facility-entry.js';

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Haversine from the radian differences and the cosines of both latitudes (the one formula all distances come from). */
function haversineMetres(dLat: number, dLon: number, cos1: number, cos2: number): number {
  const a = Math.sin(dLat / 2) ** 2 + cos1 * cos2 * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Great-circle distance in metres (haversine). */
export function distanceMetres(lat1: number, lon1: number, lat2: number, lon2: number): number {
  return haversineMetres((lat2 - lat1) * RAD, (lon2 - lon1) * RAD, Math.cos(lat1 * RAD), Math.cos(lat2 * RAD));
}

/**
 * Facilities bucketed in cells of `cellDeg` degrees, for nearest-first search without scanning all.
 * The members of all cells lie in one run, cell after cell, so a search reads contiguous memory.
 */
export interface GridIndex {
  readonly cellDeg: number;
  readonly minI: number;
  readonly maxI: number;
  readonly minJ: number;
  readonly maxJ: number;
  /** Where the members of each cell start in the arrays below (the cell after it: where they end). */
  readonly start: Int32Array;
  /** The cell number of `(i, j)`: dense over the grid's extent when that is small, else a map of occupied cells. */
  readonly cellOf: (i: number, j: number) => number;
  readonly slots: readonly FacilitySlot[];
  readonly lat: Float64Array;
  readonly lon: Float64Array;
  /** cos(lat) of each slot, exactly as `distanceMetres` computes it. */
  readonly cos: Float64Array;
  /** The smallest cos(latitude) within each row (index i - minI), for the longitude lower bound of a cell. */
  readonly rowCos: Float64Array;
}

/** Grids with at most this many cells over their extent are indexed densely (an Int32Array of cell starts). */
const MAX_DENSE_CELLS = 1 << 18;

/** Builds a grid over the slots; 0.01° cells are about 1.1 km high. */
export function buildGridIndex(slots: readonly FacilitySlot[], cellDeg = 0.01): GridIndex {
  let minI = Infinity;
  let maxI = -Infinity;
  let minJ = Infinity;
  let maxJ = -Infinity;
  const rows = new Int32Array(slots.length);
  const cols = new Int32Array(slots.length);
  slots.forEach((slot, k) => {
    const i = Math.floor(slot.lat / cellDeg);
    const j = Math.floor(slot.lon / cellDeg);
    rows[k] = i;
    cols[k] = j;
    minI = Math.min(minI, i);
    maxI = Math.max(maxI, i);
    minJ = Math.min(minJ, j);
    maxJ = Math.max(maxJ, j);
  });
  const width = slots.length === 0 ? 0 : maxJ - minJ + 1;
  const height = slots.length === 0 ? 0 : maxI - minI + 1;
  // Cell numbers: row-major over the extent when dense, else in order of first appearance.
  const dense = height * width <= MAX_DENSE_CELLS;
  const numbers = new Map<number, number>();
  const cellNumber = new Int32Array(slots.length);
  for (let k = 0; k < slots.length; k++) {
    const key = ((rows[k] as number) - minI) * width + ((cols[k] as number) - minJ);
    if (dense) cellNumber[k] = key;
    else {
      let c = numbers.get(key);
      if (c === undefined) {
        c = numbers.size;
        numbers.set(key, c);
      }
      cellNumber[k] = c;
    }
  }
  const cellCount = dense ? height * width : numbers.size;
  const start = new Int32Array(cellCount + 1);
  for (let k = 0; k < slots.length; k++) {
    const next = (cellNumber[k] as number) + 1;
    start[next] = (start[next] as number) + 1;
  }
  for (let c = 0; c < cellCount; c++) start[c + 1] = (start[c + 1] as number) + (start[c] as number);
  const fill = start.slice(0, cellCount);
  const ordered: FacilitySlot[] = new Array(slots.length);
  const lat = new Float64Array(slots.length);
  const lon = new Float64Array(slots.length);
  const cos = new Float64Array(slots.length);
  for (let k = 0; k < slots.length; k++) {
    const c = cellNumber[k] as number;
    const at = fill[c] as number;
    fill[c] = at + 1;
    const slot = slots[k] as FacilitySlot;
    ordered[at] = slot;
    lat[at] = slot.lat;
    lon[at] = slot.lon;
    cos[at] = Math.cos(slot.lat * RAD);
  }
  const cellOf = dense
    ? (i: number, j: number) => (i - minI) * width + (j - minJ)
    : (i: number, j: number) => numbers.get((i - minI) * width + (j - minJ)) ?? -1;
  const rowCos = new Float64Array(height);
  for (let i = minI; i <= maxI; i++) {
    const low = Math.cos(Math.min(90, Math.abs(i * cellDeg)) * RAD);
    const high = Math.cos(Math.min(90, Math.abs((i + 1) * cellDeg)) * RAD);
    rowCos[i - minI] = Math.max(0, Math.min(low, high) * (1 - 1e-9));
  }
  return { cellDeg, minI, maxI, minJ, maxJ, start, cellOf, slots: ordered, lat, lon, cos, rowCos };
}

export interface Hit {
  slot: FacilitySlot;
  distance: number;
}

/** Orders hits by distance, then id (the cursor order). */
export const compareHits = (a: Hit, b: Hit) => a.distance - b.distance || (a.slot.id < b.slot.id ? -1 : a.slot.id > b.slot.id ? 1 : 0);

// The bounds below hold in real arithmetic; these margins keep float rounding from ever excluding a point at the bound.
const SLACK = 1 + 1e-9;
/** Degrees taken off every gap between a point and a cell edge (about 0.1 mm). */
const GAP_MARGIN_DEG = 1e-9;

/**
 * A lower bound of sin²(x/2) for an angle x ≥ 0 in radians, without trigonometry: sin y ≥ y − y³/6 while
 * 0 ≤ y ≤ 1 (where that is increasing), and 0 beyond. The haversine term of a point is
 * sin²(Δφ/2) + cosφ1·cosφ2·sin²(Δλ/2), so these give a bound on it that is tight for short distances.
 */
function havLow(x: number): number {
  const y = x / 2;
  if (y > 1) return 0;
  const s = y - (y * y * y) / 6;
  return s * s;
}

/** The haversine term no point within `metres` exceeds (with slack), to compare lower bounds against. */
function havOfMetres(metres: number): number {
  const y = metres / (2 * EARTH_RADIUS_M);
  return y >= Math.PI / 2 ? Infinity : Math.sin(y) ** 2 * SLACK + 1e-300;
}

/** Reused between calls (the search is synchronous): the best hits so far, nearest first. */
let topDistance = new Float64Array(64);
const topSlot: FacilitySlot[] = [];

/**
 * The `want` nearest slots within `radius` metres of (lat, lon) that pass `accept`, nearest first.
 * Walks rings of cells outwards and stops once no unvisited cell can hold anything nearer; rows,
 * cells and points are skipped on a cheap lower bound of their haversine term, and a point is
 * measured exactly only when that bound does not rule it out. The best `want` hits are kept sorted
 * as they come, so the bound tightens with every hit.
 */
export function findNearest(
  grid: GridIndex,
  lat: number,
  lon: number,
  radius: number,
  want: number,
  /** Which slots may be hits (null: all). */
  accept: ((slot: FacilitySlot, distance: number) => boolean) | null,
): Hit[] {
  if (grid.slots.length === 0 || want <= 0) return [];
  const { cellDeg, minI, maxI, minJ, maxJ, start, cellOf, slots, lat: lats, lon: lons, cos, rowCos } = grid;
  const ci = Math.floor(lat / cellDeg);
  const cj = Math.floor(lon / cellDeg);
  const cosQ = Math.cos(lat * RAD);
  if (topDistance.length < want) topDistance = new Float64Array(want * 2);
  const dist = topDistance;
  const best = topSlot;
  let n = 0;
  const radiusHav = havOfMetres(radius);
  // Nothing with a larger haversine term can make the result: the radius, then the want-th hit so far.
  let boundHav = radiusHav;
  // The farthest any column lies in longitude: beyond 180° a gap in degrees says nothing (the antimeridian).
  const farLon = Math.max(lon - minJ * cellDeg, (maxJ + 1) * cellDeg - lon);
  for (let r = 0; ; r++) {
    if (ci - r < minI && ci + r > maxI && cj - r < minJ && cj + r > maxJ) break;
    if (r > 0) {
      // Any point outside rings 0…r-1 lies at least L degrees away in latitude, or in longitude while
      // less than L away in latitude (so at a latitude whose cosine is at least cosBand).
      const L = Math.max(0, (r - 1) * cellDeg - GAP_MARGIN_DEG);
      const cosBand = Math.max(0, Math.cos(Math.min(90, Math.abs(lat) + L) * RAD) * (1 - 1e-9));
      const lonGap = Math.min(L, 360 - farLon);
      const ringHav = Math.min(havLow(L * RAD), cosQ * cosBand * havLow(Math.max(0, lonGap) * RAD));
      if (ringHav > boundHav) break;
    }
    const lastI = Math.min(ci + r, maxI);
    for (let i = Math.max(ci - r, minI); i <= lastI; i++) {
      const rowGap = Math.max(0, i * cellDeg - lat, lat - (i + 1) * cellDeg) - GAP_MARGIN_DEG;
      const rowHav = havLow(Math.max(0, rowGap) * RAD);
      if (rowHav > boundHav) continue;
      const rowCosQ = cosQ * (rowCos[i - minI] as number);
      const edge = i === ci - r || i === ci + r;
      // A ring's first and last rows are whole; the rows between contribute their two end cells.
      const firstJ = edge ? Math.max(cj - r, minJ) : cj - r;
      const lastJ = edge ? Math.min(cj + r, maxJ) : cj + r;
      for (let j = firstJ; j <= lastJ; j += edge || r === 0 ? 1 : 2 * r) {
        if (j < minJ || j > maxJ) continue;
        const c = cellOf(i, j);
        if (c < 0) continue;
        const from = start[c] as number;
        const to = start[c + 1] as number;
        if (from === to) continue;
        const west = j * cellDeg;
        const east = west + cellDeg;
        const colGap = Math.max(0, west - lon, lon - east) - GAP_MARGIN_DEG;
        const colFar = Math.max(Math.abs(west - lon), Math.abs(east - lon));
        const colHav = colFar > 180 ? 0 : havLow(Math.max(0, colGap) * RAD);
        if (rowHav + rowCosQ * colHav > boundHav) continue;
        for (let k = from; k < to; k++) {
          const dLat = ((lats[k] as number) - lat) * RAD;
          const dLon = ((lons[k] as number) - lon) * RAD;
          const cosS = cos[k] as number;
          if (havLow(Math.abs(dLat)) + cosQ * cosS * havLow(Math.abs(dLon)) > boundHav) continue;
          const distance = haversineMetres(dLat, dLon, cosQ, cosS);
          if (distance > radius) continue;
          const slot = slots[k] as FacilitySlot;
          // Not better than the want-th hit: cannot make the result.
          if (n === want) {
            const last = dist[n - 1] as number;
            if (distance > last || (distance === last && slot.id >= (best[n - 1] as FacilitySlot).id)) continue;
          }
          if (accept !== null && !accept(slot, distance)) continue;
          let at = n < want ? n++ : n - 1;
          while (at > 0) {
            const d = dist[at - 1] as number;
            if (d < distance || (d === distance && (best[at - 1] as FacilitySlot).id < slot.id)) break;
            dist[at] = d;
            best[at] = best[at - 1] as FacilitySlot;
            at--;
          }
          dist[at] = distance;
          best[at] = slot;
          if (n === want) boundHav = Math.min(radiusHav, havOfMetres(dist[n - 1] as number));
        }
      }
    }
  }
  const hits: Hit[] = new Array(n);
  for (let k = 0; k < n; k++) hits[k] = { slot: best[k] as FacilitySlot, distance: dist[k] as number };
  best.length = 0;
  return hits;
}
