import { describe, expect, it } from 'vitest';
import { checkOpeningHours, describeOpeningHours, evaluateOpeningHours, isTimeZone } from './opening-hours.js';

const ALLEE = 'Mo-Sa 07:00-22:00';

describe('evaluateOpeningHours', () => {
  it.each<[string, string | null, string, string, boolean | null, string | null]>([
    // 2026-12-06 is a Sunday; Berlin is UTC+1 in winter.
    [
      'Sunday 01:00 in Berlin: closed until Monday 07:00',
      ALLEE,
      '2026-12-06T00:00:00Z',
      'Europe/Berlin',
      false,
      '2026-12-07T06:00:00.000Z',
    ],
    ['Monday 07:00 in Berlin: open until 22:00', ALLEE, '2026-12-07T06:00:00Z', 'Europe/Berlin', true, '2026-12-07T21:00:00.000Z'],
    ['Monday 22:00 in Berlin: closed', ALLEE, '2026-12-07T21:00:00Z', 'Europe/Berlin', false, '2026-12-08T06:00:00.000Z'],
    ['summer time: Monday 07:00 in Berlin is 05:00 UTC', ALLEE, '2026-07-06T05:00:00Z', 'Europe/Berlin', true, '2026-07-06T20:00:00.000Z'],
    [
      'another time zone: 06:30 UTC is 07:30 in Lisbon in July',
      ALLEE,
      '2026-07-06T06:30:00Z',
      'Europe/Lisbon',
      true,
      '2026-07-06T21:00:00.000Z',
    ],
    [
      'closed over the spring clock change: Monday 07:00 CEST is 05:00 UTC',
      ALLEE,
      '2027-03-28T12:00:00Z',
      'Europe/Berlin',
      false,
      '2027-03-29T05:00:00.000Z',
    ],
    ['open all the time', '24/7', '2026-12-06T00:00:00Z', 'Europe/Berlin', true, null],
    ['no hours at all', null, '2026-12-06T00:00:00Z', 'Europe/Berlin', null, null],
    ['unreadable hours are no hours', 'whenever', '2026-12-06T00:00:00Z', 'Europe/Berlin', null, null],
  ])('%s', (_name, osm, now, tz, openNow, nextChange) => {
    const state = evaluateOpeningHours(osm, new Date(now), tz);
    expect(state.openNow).toBe(openNow);
    expect(state.nextChange?.toISOString() ?? null).toBe(nextChange);
  });
});

describe('evaluateOpeningHours over time', () => {
  it('gives the same answers walking forward and back through a week as evaluated afresh', () => {
    // Earlier answers are reused only within their span: a walk in any order must agree.
    const start = Date.parse('2026-12-05T00:00:00Z');
    const times = Array.from({ length: 7 * 24 }, (_, i) => start + i * 3_600_000);
    const walk = (order: number[]) => order.map((t) => evaluateOpeningHours(ALLEE, new Date(t)).openNow);
    const forward = walk(times);
    expect(walk([...times].reverse()).reverse()).toEqual(forward);
    // Sunday 2026-12-06 closed all day; Monday 07:00 Berlin (06:00 UTC) open.
    expect(forward.slice(24, 48).every((open) => open === false)).toBe(true);
    expect(forward[48 + 6]).toBe(true);
    expect(forward[48 + 5]).toBe(false);
  });
});

describe('describeOpeningHours', () => {
  it.each<[string, 'de' | 'en', string]>([
    [ALLEE, 'de', 'Montag-Samstag 07:00-22:00'],
    [ALLEE, 'en', 'Monday-Saturday 07:00-22:00'],
    ['Mo-Fr 08:00-18:00; Su off', 'de', 'Montag-Freitag 08:00-18:00; Sonntag geschlossen'],
    ['24/7', 'de', 'rund um die Uhr geöffnet'],
    ['24/7', 'en', 'open 24/7'],
  ])('%s in %s → %s', (osm, locale, words) => {
    expect(describeOpeningHours(osm, locale)).toBe(words);
  });
});

describe('checks', () => {
  it('accepts OSM hours and refuses what the evaluator cannot read', () => {
    expect(checkOpeningHours(ALLEE)).toBeNull();
    expect(checkOpeningHours('whenever')).toMatch(/Unexpected token/);
  });
  it('knows IANA time zones', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
