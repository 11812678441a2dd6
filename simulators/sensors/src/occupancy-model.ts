import type { FacilityKind, Registry, SpotCategory } from '@freiplatz/domain';
import { computeSpotRates, type LocalTime, readLocalTime, type SpotRates } from './occupancy-profile.js';
import type { Rng } from './rng.js';

/** One sensed spot and whether a vehicle stands on it. */
export interface ModelSpot {
  sensorId: string;
  spotId: string;
  facilityId: string;
  kind: FacilityKind;
  category: SpotCategory;
  occupied: boolean;
  /** Simulated ms of its last change (the curve moves the longest-unchanged spots first). */
  changedAtMs: number;
}

/** The simulated city: every sensed spot, at simulated time `simMs`. */
export interface OccupancyModel {
  spots: ModelSpot[];
  simMs: number;
  timeZone: string;
  ratesAt: (kind: FacilityKind, category: SpotCategory, time: LocalTime) => SpotRates;
  /** Simulated seconds per real second: stays last as long in real time as in reality. */
  speed: number;
  /** Spot indexes per facility and category, the groups whose occupancy follows the day curve. */
  groups: number[][];
}

/** A spot that turned occupied or free at simulated time `atMs`. */
export interface SpotChange {
  index: number;
  occupied: boolean;
  atMs: number;
}

export interface OccupancyModelOptions {
  startMs: number;
  rng: Rng;
  timeZone?: string;
  /** Replaces the Magdeburg-like day curves (tests pin a constant profile). */
  ratesAt?: OccupancyModel['ratesAt'];
  /**
   * Simulated seconds per real second (default 1). A sped-up day must not make each bay change
   * `speed` times as often as a real one (a sensor would look `flapping`): vehicles stay as long
   * in real time as they would, and the day curve is followed by moving as few spots as it takes.
   */
  speed?: number;
}

/** Longest simulated step over which rates are held constant. */
const MAX_STEP_MS = 5 * 60_000;

/** Builds the model from a registry's bay sensors, each spot drawn at its target occupancy for `startMs`. */
export function createOccupancyModel(registry: Registry, options: OccupancyModelOptions): OccupancyModel {
  const timeZone = options.timeZone ?? 'Europe/Berlin';
  const ratesAt = options.ratesAt ?? computeSpotRates;
  const spotsById = new Map(registry.facilities.flatMap((f) => f.spots.map((s) => [s.id, { facility: f, spot: s }] as const)));
  const time = readLocalTime(options.startMs, timeZone);
  const spots: ModelSpot[] = [];
  for (const sensor of registry.sensors) {
    if (sensor.kind !== 'bay') continue;
    const found = spotsById.get(sensor.spotId);
    if (!found) continue;
    const { facility, spot } = found;
    const { target } = ratesAt(facility.kind, spot.category, time);
    spots.push({
      sensorId: sensor.id,
      spotId: spot.id,
      facilityId: facility.id,
      kind: facility.kind,
      category: spot.category,
      occupied: options.rng() < target,
      changedAtMs: options.startMs - options.rng() * 3_600_000,
    });
  }
  const groups = new Map<string, number[]>();
  spots.forEach((spot, index) => {
    const key = `${spot.facilityId}:${spot.category}`;
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  return { spots, simMs: options.startMs, timeZone, ratesAt, speed: options.speed ?? 1, groups: [...groups.values()] };
}

/**
 * Moves the model to `toMs` in steps of at most five simulated minutes and returns every change.
 * Free → occupied at rate λ, occupied → free at μ = 1/(meanStay·speed), with λ = μ·p/(1−p) so the
 * stationary occupancy is the target p; each step uses the exact two-state transition over dt.
 * Where that turnover is too slow for the (sped-up) day curve, each facility's category is pulled
 * back near its target by changing its longest-unchanged spots (followCurve).
 */
export function advanceOccupancyModel(model: OccupancyModel, toMs: number, rng: Rng): SpotChange[] {
  const changes: SpotChange[] = [];
  while (model.simMs < toMs) {
    const stepEnd = Math.min(toMs, model.simMs + MAX_STEP_MS);
    const dtSeconds = (stepEnd - model.simMs) / 1000;
    const time = readLocalTime((model.simMs + stepEnd) / 2, model.timeZone);
    const odds = new Map<string, { toOccupied: number; toFree: number }>();
    model.spots.forEach((spot, index) => {
      const key = `${spot.kind}:${spot.category}`;
      let chance = odds.get(key);
      if (!chance) {
        const rates = model.ratesAt(spot.kind, spot.category, time);
        chance = computeTransitionChances({ ...rates, meanStaySeconds: rates.meanStaySeconds * model.speed }, dtSeconds);
        odds.set(key, chance);
      }
      if (rng() < (spot.occupied ? chance.toFree : chance.toOccupied)) flip(model, index, stepEnd, changes);
    });
    // In real time the turnover itself follows the curve (and keeps stays as long as they are).
    if (model.speed > 1) for (const group of model.groups) followCurve(model, group, time, stepEnd, changes);
    model.simMs = stepEnd;
  }
  return changes;
}

function flip(model: OccupancyModel, index: number, atMs: number, changes: SpotChange[]): void {
  const spot = model.spots[index];
  if (!spot) return;
  spot.occupied = !spot.occupied;
  spot.changedAtMs = atMs;
  changes.push({ index, occupied: spot.occupied, atMs });
}

/**
 * Pulls a group's occupied count back to within two binomial standard deviations (at least 1.5
 * spots) of its target, changing the longest-unchanged spots; turnover at real speed stays inside.
 */
function followCurve(model: OccupancyModel, group: number[], time: LocalTime, atMs: number, changes: SpotChange[]): void {
  const first = model.spots[group[0] ?? -1];
  if (!first) return;
  const target = model.ratesAt(first.kind, first.category, time).target;
  const wanted = target * group.length;
  const slack = Math.max(1.5, 2 * Math.sqrt(group.length * target * (1 - target)));
  const occupied = group.filter((i) => model.spots[i]?.occupied).length;
  const excess = occupied > wanted + slack ? Math.round(occupied - wanted) : occupied < wanted - slack ? Math.round(occupied - wanted) : 0;
  if (excess === 0) return;
  const candidates = group
    .filter((i) => model.spots[i]?.occupied === excess > 0)
    .sort((a, b) => (model.spots[a]?.changedAtMs ?? 0) - (model.spots[b]?.changedAtMs ?? 0));
  for (const index of candidates.slice(0, Math.abs(excess))) flip(model, index, atMs, changes);
}

/** Chance that a free spot is occupied (and vice versa) after dt, for a two-state Markov chain. */
export function computeTransitionChances(rates: SpotRates, dtSeconds: number): { toOccupied: number; toFree: number } {
  const p = Math.min(0.999, Math.max(0.001, rates.target));
  const mu = 1 / rates.meanStaySeconds;
  const lambda = (mu * p) / (1 - p);
  const settle = 1 - Math.exp(-(lambda + mu) * dtSeconds);
  return { toOccupied: p * settle, toFree: (1 - p) * settle };
}

/** Share of spots occupied, optionally only those a predicate keeps. */
export function measureOccupancy(model: OccupancyModel, keep: (spot: ModelSpot) => boolean = () => true): number {
  let total = 0;
  let occupied = 0;
  for (const spot of model.spots) {
    if (!keep(spot)) continue;
    total++;
    if (spot.occupied) occupied++;
  }
  return total === 0 ? 0 : occupied / total;
}
