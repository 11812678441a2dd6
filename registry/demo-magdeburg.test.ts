import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRegistry, type Registry } from '../packages/domain/src/index.js';
import { buildDemoRegistry, formatRegistry } from './generate-demo.js';

const text = readFileSync(new URL('./demo-magdeburg.json', import.meta.url), 'utf8');

function loadDemo(): Registry {
  const parsed = parseRegistry(JSON.parse(text));
  if (!parsed.ok) throw new Error(parsed.issues.join('\n'));
  return parsed.registry;
}

describe('demo registry Magdeburg', () => {
  it('is valid against the registry schema', () => {
    const parsed = parseRegistry(JSON.parse(text));
    expect(parsed.ok ? [] : parsed.issues).toEqual([]);
  });

  it('is exactly what generate-demo.ts writes', () => {
    expect(text).toBe(formatRegistry(buildDemoRegistry()));
  });

  it.each([
    ['car_park', 2],
    ['on_street', 2],
    ['rv_site', 1],
    ['park_and_ride', 1],
  ] as const)('has at least %d facilities of kind %s', (kind, min) => {
    expect(loadDemo().facilities.filter((f) => f.kind === kind).length).toBeGreaterThanOrEqual(min);
  });

  it('has at least 7 facilities and 300 spots', () => {
    const registry = loadDemo();
    expect(registry.facilities.length).toBeGreaterThanOrEqual(7);
    expect(registry.facilities.flatMap((f) => f.spots).length).toBeGreaterThanOrEqual(300);
  });

  it.each(['disabled', 'ev', 'camper', 'family', 'motorcycle'] as const)('has spots of category %s', (category) => {
    const spots = loadDemo().facilities.flatMap((f) => f.spots);
    expect(spots.some((s) => s.category === category)).toBe(true);
  });

  it('has the Petriförder camper site with power and water on every pitch and a dump station', () => {
    const site = loadDemo().facilities.find((f) => f.name === 'Wohnmobilstellplatz Petriförder');
    expect(site?.kind).toBe('rv_site');
    expect(site?.tags).toContain('dump_station');
    for (const pitch of site?.spots ?? []) {
      expect(pitch.category).toBe('camper');
      expect(pitch.amenities).toEqual(expect.arrayContaining(['power', 'water']));
    }
  });

  it('places every facility in Magdeburg', () => {
    for (const { location } of loadDemo().facilities) {
      expect(location.lat).toBeGreaterThan(52.05);
      expect(location.lat).toBeLessThan(52.2);
      expect(location.lon).toBeGreaterThan(11.55);
      expect(location.lon).toBeLessThan(11.75);
    }
  });

  it('gives every spot one bay sensor with a plausible heartbeat', () => {
    const registry = loadDemo();
    const spots = registry.facilities.flatMap((f) => f.spots.map((s) => ({ ...s, facilityId: f.id })));
    const bySpot = new Map(registry.sensors.flatMap((s) => (s.kind === 'bay' ? [[s.spotId, s] as const] : [])));
    for (const spot of spots) {
      expect(spot.id.startsWith(`${spot.facilityId}-`)).toBe(true);
      const sensor = bySpot.get(spot.id);
      expect(sensor?.kind).toBe('bay');
      expect(sensor?.heartbeatIntervalSeconds).toBe(spot.category === 'camper' ? 900 : 600);
    }
    expect(registry.sensors.length).toBe(spots.length);
  });

  it('uses OSM opening-hours syntax', () => {
    for (const { openingHours } of loadDemo().facilities) {
      expect(openingHours).toMatch(/^(24\/7|(Mo|Tu|We|Th|Fr|Sa|Su)(-(Mo|Tu|We|Th|Fr|Sa|Su))? \d\d:\d\d-\d\d:\d\d)$/);
    }
  });
});
