import { describe, expect, it } from 'vitest';
import { computeFacilityStatus, computeSpotStatus, countSpots, type SpotInput, summarizeFacility } from './availability.js';

const now = new Date('2026-11-27T12:00:00Z');
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);
const sensor = { heartbeatIntervalSeconds: 600 };

describe('computeSpotStatus', () => {
  it.each<[string, SpotInput, string]>([
    ['fresh free report', { sensor, state: { occupied: false, lastSeenAt: secondsAgo(60) } }, 'free'],
    ['fresh occupied report', { sensor, state: { occupied: true, lastSeenAt: secondsAgo(60) } }, 'occupied'],
    ['silent exactly 2.5 heartbeats', { sensor, state: { occupied: false, lastSeenAt: secondsAgo(1500) } }, 'free'],
    ['silent longer than 2.5 heartbeats', { sensor, state: { occupied: false, lastSeenAt: secondsAgo(1501) } }, 'unknown'],
    ['never heard', { sensor, state: null }, 'unknown'],
    ['no sensor on the spot', { sensor: null, state: null }, 'unknown'],
    ['sensor reports a fault', { sensor, state: { occupied: false, lastSeenAt: secondsAgo(1), fault: true } }, 'unknown'],
    ['closed spot', { closed: true, sensor, state: { occupied: false, lastSeenAt: secondsAgo(1) } }, 'closed'],
  ])('%s → %s', (_name, spot, expected) => {
    expect(computeSpotStatus(spot, now)).toBe(expected);
  });
});

describe('computeFacilityStatus', () => {
  const counts = (free: number, occupied: number, unknown = 0, closed = 0) => ({
    capacity: free + occupied + unknown + closed,
    free,
    occupied,
    unknown,
    closed,
  });
  it.each([
    ['plenty free', counts(50, 50), 'open'],
    ['at the almost-full threshold (10 %)', counts(10, 90), 'almost_full'],
    ['one free in a small facility', counts(1, 4), 'almost_full'],
    ['none free', counts(0, 100), 'full'],
    ['none free, some unknown', counts(0, 80, 20), 'full'],
    ['nothing known', counts(0, 0, 40), 'unknown'],
    ['no spots at all', counts(0, 0), 'unknown'],
    ['every spot closed', counts(0, 0, 0, 12), 'closed'],
    ['one occupied of thirty: too little known to say full', counts(0, 1, 29), 'unknown'],
    ['one free of thirty: too little known to say anything', counts(1, 0, 29), 'unknown'],
    ['half of the usable spots known, none free', counts(0, 15, 15), 'full'],
    ['just under half known', counts(0, 14, 16), 'unknown'],
    ['closed spots do not count against the known share', counts(5, 5, 10, 20), 'open'],
  ])('%s → %s', (_name, c, expected) => {
    expect(computeFacilityStatus(c, { almostFullThreshold: 0.1 })).toBe(expected);
  });

  it.each<[string, { minKnownShare?: number; openNow?: boolean | null }, string]>([
    ['outside opening hours, whatever the counts', { openNow: false }, 'closed'],
    ['inside opening hours', { openNow: true }, 'unknown'],
    ['no opening hours', { openNow: null }, 'unknown'],
    ['a facility that accepts a tenth known', { minKnownShare: 0.1 }, 'almost_full'],
  ])('%s → %s', (_name, policy, expected) => {
    expect(computeFacilityStatus(counts(1, 3, 26), { almostFullThreshold: 0.1, ...policy })).toBe(expected);
  });
});

describe('summarizeFacility', () => {
  it('adds categories up, never counting unknown as free, and reports confidence', () => {
    const categories = countSpots([
      { category: 'standard', status: 'free' },
      { category: 'standard', status: 'occupied' },
      { category: 'standard', status: 'unknown' },
      { category: 'disabled', status: 'free' },
      { category: 'ev', status: 'closed' },
    ]);
    const a = summarizeFacility(categories, { almostFullThreshold: 0.1 });
    expect(a).toMatchObject({ capacity: 5, free: 2, occupied: 1, unknown: 1, closed: 1, status: 'open', confidence: 0.75 });
    expect(a.byCategory).toEqual({
      standard: { capacity: 3, free: 1, occupied: 1, unknown: 1, closed: 0, status: 'almost_full' },
      disabled: { capacity: 1, free: 1, occupied: 0, unknown: 0, closed: 0, status: 'almost_full' },
      ev: { capacity: 1, free: 0, occupied: 0, unknown: 0, closed: 1, status: 'closed' },
    });
  });

  it("gives each category the status of its own counts, not the facility's", () => {
    const categories = countSpots([
      ...Array.from({ length: 8 }, () => ({ category: 'standard' as const, status: 'free' as const })),
      { category: 'disabled', status: 'occupied' },
      { category: 'disabled', status: 'occupied' },
    ]);
    const a = summarizeFacility(categories, { almostFullThreshold: 0.1 });
    expect(a.status).toBe('open');
    expect(a.byCategory.disabled?.status).toBe('full');
  });

  it('closes the facility and every category outside opening hours, keeping the counts', () => {
    const a = summarizeFacility(countSpots([{ category: 'standard', status: 'free' }]), { almostFullThreshold: 0.1, openNow: false });
    expect(a).toMatchObject({ status: 'closed', free: 1, capacity: 1 });
    expect(a.byCategory.standard?.status).toBe('closed');
  });
});
