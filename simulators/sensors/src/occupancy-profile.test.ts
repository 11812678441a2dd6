import type { FacilityKind } from '@freiplatz/domain';
import { describe, expect, it } from 'vitest';
import { interpolateCurve } from './day-curves.js';
import { computeMeanStaySeconds, computeTargetOccupancy, type LocalTime, readLocalTime } from './occupancy-profile.js';

const at = (weekday: number, hour: number, month = 6): LocalTime => ({ weekday, hour, month });
const WED = 3;
const SAT = 6;
const SUN = 0;

describe('readLocalTime', () => {
  it.each([
    ['2025-06-11T10:00:00Z', { weekday: WED, hour: 12, month: 6 }],
    ['2025-01-15T11:30:00Z', { weekday: WED, hour: 12.5, month: 1 }],
    ['2025-06-14T22:30:00Z', { weekday: SUN, hour: 0.5, month: 6 }],
  ])('reads %s as Berlin wall-clock time', (iso, expected) => {
    expect(readLocalTime(Date.parse(iso), 'Europe/Berlin')).toEqual(expected);
  });
});

describe('interpolateCurve', () => {
  it.each([
    [0, 0],
    [5, 0.5],
    [10, 1],
    [24, 1],
  ])('at hour %d gives %d', (hour, expected) => {
    expect(
      interpolateCurve(
        [
          [0, 0],
          [10, 1],
        ],
        hour,
      ),
    ).toBeCloseTo(expected);
  });
});

describe('computeTargetOccupancy', () => {
  it.each<[string, FacilityKind, LocalTime, LocalTime]>([
    ['city car parks are busier at weekday noon than at night', 'car_park', at(WED, 12), at(WED, 3)],
    ['city car parks are busiest on Saturday afternoon', 'car_park', at(SAT, 14), at(WED, 14)],
    ['city car parks are quieter on Sunday (shops closed)', 'car_park', at(WED, 14), at(SUN, 14)],
    ['on-street bays are busier at 10:00 than at 23:00', 'on_street', at(WED, 10), at(WED, 23)],
    ['P+R fills on weekday mornings, not on Saturdays', 'park_and_ride', at(WED, 10), at(SAT, 10)],
    ['P+R empties in the evening', 'park_and_ride', at(WED, 11), at(WED, 21)],
    ['camper pitches fill in the evening', 'rv_site', at(WED, 21), at(WED, 13)],
    ['camper pitches are busier on weekends', 'rv_site', at(SAT, 21), at(WED, 21)],
    ['camper pitches are busier in summer', 'rv_site', at(WED, 21, 7), at(WED, 21, 1)],
  ])('%s', (_, kind, busier, quieter) => {
    expect(computeTargetOccupancy(kind, busier)).toBeGreaterThan(computeTargetOccupancy(kind, quieter) + 0.05);
  });

  it.each([9.5, 12, 15, 18.5])('keeps on-street bays above 80 %% at %d h on weekdays', (hour) => {
    expect(computeTargetOccupancy('on_street', at(WED, hour))).toBeGreaterThanOrEqual(0.8);
  });

  it('stays within 0..1 for every kind, day and hour', () => {
    for (const kind of ['car_park', 'on_street', 'rv_site', 'park_and_ride'] as const) {
      for (let weekday = 0; weekday < 7; weekday++) {
        for (let hour = 0; hour < 24; hour += 0.5) {
          const p = computeTargetOccupancy(kind, at(weekday, hour, (weekday % 12) + 1));
          expect(p).toBeGreaterThan(0);
          expect(p).toBeLessThan(1);
        }
      }
    }
  });
});

describe('computeMeanStaySeconds', () => {
  it.each<[FacilityKind, 'standard' | 'camper', number, number]>([
    ['car_park', 'standard', 3600, 4 * 3600],
    ['on_street', 'standard', 1800, 2 * 3600],
    ['park_and_ride', 'standard', 6 * 3600, 12 * 3600],
    ['rv_site', 'camper', 1.5 * 86_400, 3 * 86_400],
  ])('a %s %s stay at weekday noon lasts between %d and %d s', (kind, category, min, max) => {
    const stay = computeMeanStaySeconds(kind, category, at(WED, 12));
    expect(stay).toBeGreaterThanOrEqual(min);
    expect(stay).toBeLessThanOrEqual(max);
  });
});
