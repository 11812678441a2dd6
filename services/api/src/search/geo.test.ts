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

  it.each([
    ['across the antimeridian', [179.995, -179.995, 179.9, -179.9, 179, -179.5], 0, 179.999],
    ['near the north pole', [10, 100, -170, 45, 0, 179], 89.99, 0],
    ['near the equator and the prime meridian', [-0.004, 0.004, 0.0001, -0.0001, 0.02, -0.02], 0, 0],
  ] as Array<[string, number[], number, number]>)('matches a full scan %s', (_name, lons, baseLat, qLon) => {
    const edge = lons.flatMap((lon, i) => [
      slot(`e${i}a`, Math.min(90, baseLat + (i % 3) * 0.003), lon),
      slot(`e${i}b`, Math.max(-90, baseLat - (i % 2) * 0.004), lon),
    ]);
    const edgeGrid = buildGridIndex(edge);
    for (const radius of [100, 2_000, 50_000]) {
      const expected = edge
        .map((s) => ({ slot: s, distance: distanceMetres(baseLat, qLon, s.lat, s.lon) }))
        .filter((hit) => hit.distance <= radius)
        .sort(compareHits)
        .slice(0, 5);
      expect(findNearest(edgeGrid, baseLat, qLon, radius, 5, () => true)).toEqual(expected);
    }
  });

  it('orders equal distances by id and keeps the want-th place exact', () => {
    // Eight facilities on two points: every distance is shared by four of them.
    const twins = ['h', 'c', 'f', 'a', 'g', 'b', 'e', 'd'].map((id, i) => slot(id, 52.13 + (i % 2) * 0.001, 11.63));
    const twinGrid = buildGridIndex(twins);
    for (let want = 1; want <= 9; want++) {
      const expected = twins
        .map((s) => ({ slot: s, distance: distanceMetres(52.13, 11.63, s.lat, s.lon) }))
        .sort(compareHits)
        .slice(0, want);
      expect(findNearest(twinGrid, 52.13, 11.63, 1000, want, () => true)).toEqual(expected);
    }
  });

  it('matches a full scan over a sparse grid (facilities across the world, cells in a map)', () => {
    const world = Array.from({ length: 2000 }, (_, i) => slot(`w${i}`, -80 + random() * 160, -180 + random() * 360));
    // 0.25° cells: 640 × 1440 over the extent, too many to index densely.
    const worldGrid = buildGridIndex(world, 0.25);
    for (let n = 0; n < 50; n++) {
      const lat = -80 + random() * 160;
      const lon = -180 + random() * 360;
      const expected = world
        .map((s) => ({ slot: s, distance: distanceMetres(lat, lon, s.lat, s.lon) }))
        .filter((hit) => hit.distance <= 1_000_000)
        .sort(compareHits)
        .slice(0, 3);
      expect(expected.length).toBeGreaterThan(0);
      expect(findNearest(worldGrid, lat, lon, 1_000_000, 3, () => true)).toEqual(expected);
    }
  });
});
