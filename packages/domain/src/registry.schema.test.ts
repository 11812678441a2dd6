import { describe, expect, it } from 'vitest';
import { parseRegistry } from './registry.schema.js';

const facility = (id: string, spots: unknown[] = [{ id: `${id}-1` }]) => ({
  id,
  name: id,
  kind: 'car_park',
  location: { lat: 52.13, lon: 11.63 },
  spots,
});

describe('parseRegistry', () => {
  it('accepts a registry and fills defaults', () => {
    const result = parseRegistry({ version: 1, facilities: [facility('a')], sensors: [{ id: 's1', spotId: 'a-1' }] });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.registry.facilities[0]?.spots[0]).toEqual({ id: 'a-1', category: 'standard', amenities: [] });
      expect(result.registry.sensors[0]).toMatchObject({ kind: 'bay', model: 'native', heartbeatIntervalSeconds: 600 });
      expect(result.registry.facilities[0]).toMatchObject({ timeZone: 'Europe/Berlin', minKnownShare: 0.5, almostFullThreshold: 0.1 });
    }
  });

  it.each([
    ['a bad category', { version: 1, facilities: [facility('a', [{ id: 'a-1', category: 'limo' }])] }, 'facilities[0].spots[0].category'],
    ['a bad kind', { version: 1, facilities: [{ ...facility('a'), kind: 'garage' }] }, 'facilities[0].kind'],
    [
      'a latitude out of range',
      { version: 1, facilities: [{ ...facility('a'), location: { lat: 91, lon: 0 } }] },
      'facilities[0].location.lat',
    ],
    ['an unknown field', { version: 1, facilities: [{ ...facility('a'), colour: 'red' }] }, 'facilities[0]'],
    [
      'opening hours the evaluator cannot read',
      { version: 1, facilities: [{ ...facility('a'), openingHours: 'daily 9-5ish' }] },
      'facilities[0].openingHours',
    ],
    ['an unknown time zone', { version: 1, facilities: [{ ...facility('a'), timeZone: 'Europe/Magdeburg' }] }, 'facilities[0].timeZone'],
    ['a known share above 1', { version: 1, facilities: [{ ...facility('a'), minKnownShare: 1.5 }] }, 'facilities[0].minKnownShare'],
    ['a duplicate spot', { version: 1, facilities: [facility('a'), facility('b', [{ id: 'a-1' }])] }, 'facilities[1].spots[0].id'],
    ['a sensor on a missing spot', { version: 1, facilities: [facility('a')], sensors: [{ id: 's1', spotId: 'zz' }] }, 'sensors[0].spotId'],
    [
      'two sensors on one spot',
      {
        version: 1,
        facilities: [facility('a')],
        sensors: [
          { id: 's1', spotId: 'a-1' },
          { id: 's2', spotId: 'a-1' },
        ],
      },
      'sensors[1].spotId',
    ],
    ['a wrong version', { version: 2, facilities: [] }, 'version'],
  ])('names the offending path for %s', (_name, input, path) => {
    const result = parseRegistry(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.some((i) => i.startsWith(path))).toBe(true);
  });
});
