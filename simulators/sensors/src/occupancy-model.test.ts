import type { FacilityKind, Registry } from '@freiplatz/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { advanceOccupancyModel, createOccupancyModel, measureOccupancy } from './occupancy-model.js';
import { computeTargetOccupancy, readLocalTime } from './occupancy-profile.js';
import { createRng } from './rng.js';
import { readDemoRegistry } from './test-registry.js';
import { createVirtualClock } from './virtual-clock.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
let registry: Registry;
beforeAll(async () => {
  registry = await readDemoRegistry();
});

/** Advances the model in one-minute ticks, as the simulator does at speed 300 with 200 ms ticks. */
function simulate(seed: number, fromIso: string, toIso: string, tickMs = MINUTE) {
  const rng = createRng(seed);
  const model = createOccupancyModel(registry, { startMs: Date.parse(fromIso), rng });
  const changes = [];
  for (let t = model.simMs + tickMs; t <= Date.parse(toIso); t += tickMs) changes.push(...advanceOccupancyModel(model, t, rng));
  return { model, changes };
}

describe('occupancy model', () => {
  it.each<[FacilityKind, number]>([
    ['car_park', 0.06],
    ['on_street', 0.06],
    ['park_and_ride', 0.06],
  ])('brings %s occupancy near its target by noon on a weekday (±%d)', (kind, tolerance) => {
    const noon = '2025-06-11T12:00:00+02:00';
    const target = computeTargetOccupancy(kind, readLocalTime(Date.parse(noon), 'Europe/Berlin'));
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const mean =
      seeds
        .map((seed) => measureOccupancy(simulate(seed, '2025-06-11T08:00:00+02:00', noon).model, (s) => s.kind === kind))
        .reduce((a, b) => a + b) / seeds.length;
    expect(Math.abs(mean - target)).toBeLessThan(tolerance);
  });

  it('settles at p = λ/(λ+μ) under a constant profile', () => {
    const rng = createRng(7);
    const model = createOccupancyModel(registry, { startMs: 0, rng, ratesAt: () => ({ target: 0.3, meanStaySeconds: 1800 }) });
    let sum = 0;
    for (let hour = 1; hour <= 200; hour++) {
      advanceOccupancyModel(model, hour * 3_600_000, rng);
      sum += measureOccupancy(model);
    }
    expect(sum / 200).toBeCloseTo(0.3, 1);
  });

  it('keeps campers for about two days on average', () => {
    const rng = createRng(3);
    const start = Date.parse('2025-06-01T12:00:00+02:00');
    const campersOnly = { ...registry, facilities: registry.facilities.filter((f) => f.kind === 'rv_site') };
    const model = createOccupancyModel(campersOnly, { startMs: start, rng });
    const arrivedAt = new Map<number, number>();
    const stays: number[] = [];
    for (let t = start + 5 * MINUTE; t <= start + 90 * DAY; t += 5 * MINUTE) {
      for (const change of advanceOccupancyModel(model, t, rng)) {
        if (model.spots[change.index]?.kind !== 'rv_site') continue;
        const since = arrivedAt.get(change.index);
        if (change.occupied) arrivedAt.set(change.index, change.atMs);
        else if (since !== undefined) stays.push(change.atMs - since);
      }
    }
    const meanDays = stays.reduce((a, b) => a + b, 0) / stays.length / DAY;
    expect(stays.length).toBeGreaterThan(300);
    expect(meanDays).toBeGreaterThan(1.6);
    expect(meanDays).toBeLessThan(2.5);
  });

  it('is deterministic for a seed', () => {
    const a = simulate(42, '2025-06-11T08:00:00+02:00', '2025-06-11T10:00:00+02:00').changes;
    const b = simulate(42, '2025-06-11T08:00:00+02:00', '2025-06-11T10:00:00+02:00').changes;
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it.each([
    [6, 60],
    [60, 600],
  ])('produces ten times the changes at speed %d → %d over the same real time', (slow, fast) => {
    const countChanges = (speed: number): number => {
      let total = 0;
      for (const seed of [1, 2, 3, 4]) {
        const rng = createRng(seed);
        const simStartMs = Date.parse('2025-06-11T00:00:00+02:00');
        const clock = createVirtualClock({ realStartMs: 0, simStartMs, speed });
        const model = createOccupancyModel(registry, { startMs: simStartMs, rng, ratesAt: () => ({ target: 0.5, meanStaySeconds: 3600 }) });
        for (let real = 1000; real <= 600_000; real += 1000) total += advanceOccupancyModel(model, clock.simAt(real), rng).length;
      }
      return total;
    };
    const ratio = countChanges(fast) / countChanges(slow);
    expect(ratio).toBeGreaterThan(8);
    expect(ratio).toBeLessThan(12);
  });
});
