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
}

/** The simulated city: every sensed spot, at simulated time `simMs`. */
export interface OccupancyModel {
  spots: ModelSpot[];
  simMs: number;
  timeZone: string;
  ratesAt: (kind: FacilityKind, category: SpotCategory, time: LocalTime) => SpotRates;
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
    });
  }
  return { spots, simMs: options.startMs, timeZone, ratesAt };
}

/**
 * Moves the model to `toMs` in steps of at most five simulated minutes and returns every change.
 * Free → occupied at rate λ, occupied → free at μ = 1/meanStay, with λ = μ·p/(1−p) so the
 * stationary occupancy is the target p; each step uses the exact two-state transition over dt.
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
        chance = computeTransitionChances(model.ratesAt(spot.kind, spot.category, time), dtSeconds);
        odds.set(key, chance);
      }
      const flips = rng() < (spot.occupied ? chance.toFree : chance.toOccupied);
      if (flips) {
        spot.occupied = !spot.occupied;
        changes.push({ index, occupied: spot.occupied, atMs: stepEnd });
      }
    });
    model.simMs = stepEnd;
  }
  return changes;
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
