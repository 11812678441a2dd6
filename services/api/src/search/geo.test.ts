import { describe, expect, it } from 'vitest';
import type { FacilitySlot } from '../state/facility-entry.js';
import { buildGridIndex, compareHits, distanceMetres, findNearest } from './geo.js';

const slot = (id: string, lat: number, lon: number) => ({ id, lat, lon }) as unknown as FacilitySlot;

describe('distanceMetres', () => {
  it.each([
    ['Magdeburg Dom → Hauptbahnhof', 52.1246, 11.6297, 52.1306, 11.627, 690],
    ['one degree of latitude', 52, 11, 53, 11, 111_195],
    ['same point', 52.13, 11.63, 52.13, 11.63, 0],
  ])('%s', (_name, lat1, lon1, lat2, lon2, metres) => {
    expect(distanceMetres(lat1, lon1, lat2, lon2)).toBeCloseTo(metres, -1);
  });
});

describe('findNearest', () => {
  // A deterministic scatter around Magdeburg.
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const slots = Array.from({ length: 3000 }, (_, i) => slot(`f${i}`, 52.05 + random() * 0.2, 11.5 + random() * 0.3));
  const grid = buildGridIndex(slots);

  it.each([
    [52.13, 11.63, 2000, 50],
    [52.13, 11.63, 50_000, 50],
    [52.0, 11.4, 10_000, 20],
    [52.3, 11.9, 5_000, 5],
    [52.13, 11.63, 300, 1000],
  ])('matches a full scan near %f,%f within %i m (%i wanted)', (lat, lon, radius, want) => {
    const expected = slots
      .map((s) => ({ slot: s, distance: distanceMetres(lat, lon, s.lat, s.lon) }))
      .filter((hit) => hit.distance <= radius)
      .sort(compareHits)
      .slice(0, want);
    const got = findNearest(grid, lat, lon, radius, want, () => true);
    expect(got.map((hit) => hit.slot.id)).toEqual(expected.map((hit) => hit.slot.id));
  });

  it('matches a full scan for random queries, filters and cursors (the cheap bounds never drop a hit)', () => {
    for (let n = 0; n < 300; n++) {
      const lat = 52.0 + random() * 0.3;
      const lon = 11.4 + random() * 0.5;
      const radius = 50 + Math.floor(random() * 20_000);
      const want = 1 + Math.floor(random() * 80);
      const after = random() * radius;
      const accept = (s: FacilitySlot, d: number) => d > after && !s.id.endsWith('3');
      const expected = slots
        .map((s) => ({ slot: s, distance: distanceMetres(lat, lon, s.lat, s.lon) }))
        .filter((hit) => hit.distance <= radius && accept(hit.slot, hit.distance))
        .sort(compareHits)
        .slice(0, want);
      const got = findNearest(grid, lat, lon, radius, want, accept);
      expect(got).toEqual(expected);
    }
  });

  it('applies the filter before counting', () => {
    const got = findNearest(grid, 52.13, 11.63, 50_000, 10, (s) => s.id.endsWith('7'));
    expect(got).toHaveLength(10);
    expect(got.every((hit) => hit.slot.id.endsWith('7'))).toBe(true);
  });
});
