import { describe, expect, it } from 'vitest';
import { type ForecastWeek, forecastFree, forecastInstants } from './forecast.js';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const CAPACITY = 100;

/** A known weekly pattern: busy on weekday mornings (20 free), quiet otherwise (80 free). */
const pattern = (t: Date) => {
  const day = t.getUTCDay();
  const hour = t.getUTCHours();
  return day >= 1 && day <= 5 && hour >= 8 && hour < 12 ? 20 : 80;
};

/** Simulated weeks: the pattern plus per-week noise, observed at the instants the forecast asks for. */
function simulateWeeks(now: Date, at: Date, noise: (week: number) => number, missing: number[] = []): ForecastWeek[] {
  const { atTarget, atNow } = forecastInstants(now, at);
  return atTarget.map((instant, k) =>
    missing.includes(k)
      ? { atTarget: null, atNow: null }
      : { atTarget: pattern(instant) + noise(k), atNow: pattern(atNow[k] as Date) + noise(k) },
  );
}

// Monday 2026-06-01 06:00 UTC.
const now = new Date('2026-06-01T06:00:00Z');

describe('forecastFree on simulated weeks with a known pattern', () => {
  it.each([
    ['Monday 10:00, quiet-to-busy', new Date(now.getTime() + 4 * HOUR), 20],
    ['Monday 14:00', new Date(now.getTime() + 8 * HOUR), 80],
    ['Wednesday 09:00', new Date(now.getTime() + 51 * HOUR), 20],
    ['Saturday 10:00', new Date(now.getTime() + 124 * HOUR), 80],
  ])('recovers the pattern: %s → %i free', (_name, at, expected) => {
    const f = forecastFree({
      now,
      at,
      capacity: CAPACITY,
      present: { free: pattern(now), confidence: 1 },
      weeks: simulateWeeks(now, at, () => 0),
    });
    expect(f.free).toBe(expected);
    expect(f.weeksUsed).toBe(4);
    expect(f.confidence).toBeGreaterThan(0.9);
  });

  it('carries today’s deviation into the near term and lets it fade', () => {
    const present = { free: pattern(now) - 30, confidence: 1 }; // unusually busy right now
    const soon = forecastFree({
      now,
      at: new Date(now.getTime() + 0.5 * HOUR),
      capacity: CAPACITY,
      present,
      weeks: simulateWeeks(now, new Date(now.getTime() + 0.5 * HOUR), () => 0),
    });
    const later = forecastFree({
      now,
      at: new Date(now.getTime() + 8 * HOUR),
      capacity: CAPACITY,
      present,
      weeks: simulateWeeks(now, new Date(now.getTime() + 8 * HOUR), () => 0),
    });
    expect(soon.free).toBe(80 - Math.round(30 * Math.exp(-0.25)));
    expect(later.free).toBe(80 - Math.round(30 * Math.exp(-4)));
    expect(soon.presentWeight).toBeGreaterThan(later.presentWeight);
  });

  it('trusts noisy or patchy weeks less', () => {
    const at = new Date(now.getTime() + 28 * HOUR);
    const clean = forecastFree({ now, at, capacity: CAPACITY, present: null, weeks: simulateWeeks(now, at, () => 0) });
    const noisy = forecastFree({ now, at, capacity: CAPACITY, present: null, weeks: simulateWeeks(now, at, (k) => (k % 2 ? 15 : -15)) });
    const patchy = forecastFree({ now, at, capacity: CAPACITY, present: null, weeks: simulateWeeks(now, at, () => 0, [0, 1]) });
    expect(noisy.confidence).toBeLessThan(clean.confidence);
    expect(patchy.confidence).toBeLessThan(clean.confidence);
    expect(patchy.weeksUsed).toBe(2);
  });

  it('weighs recent weeks more', () => {
    const at = new Date(now.getTime() + 28 * HOUR);
    const weeks = [
      { atTarget: 40, atNow: null },
      { atTarget: 80, atNow: null },
      { atTarget: 80, atNow: null },
      { atTarget: 80, atNow: null },
    ];
    expect(forecastFree({ now, at, capacity: CAPACITY, present: null, weeks }).profileFree).toBeCloseTo((40 + 40 + 20 + 10) / 1.875, 1);
  });

  it('falls back to the present, with fading confidence, when there is no history', () => {
    const none = Array.from({ length: 4 }, () => ({ atTarget: null, atNow: null }));
    const soon = forecastFree({
      now,
      at: new Date(now.getTime() + HOUR),
      capacity: CAPACITY,
      present: { free: 33, confidence: 0.9 },
      weeks: none,
    });
    const far = forecastFree({
      now,
      at: new Date(now.getTime() + 48 * HOUR),
      capacity: CAPACITY,
      present: { free: 33, confidence: 0.9 },
      weeks: none,
    });
    expect(soon).toMatchObject({ free: 33, profileFree: null, weeksUsed: 0 });
    expect(far.confidence).toBeLessThan(soon.confidence);
    expect(forecastFree({ now, at: now, capacity: CAPACITY, present: null, weeks: none })).toMatchObject({ free: null, confidence: 0 });
  });

  it('clamps to [0, capacity]', () => {
    const weeks = Array.from({ length: 4 }, () => ({ atTarget: 95, atNow: 50 }));
    expect(forecastFree({ now, at: now, capacity: CAPACITY, present: { free: 100, confidence: 1 }, weeks }).free).toBe(100);
  });

  it('asks for the same weekday and time 1–4 weeks back', () => {
    const at = new Date('2026-06-03T09:15:00Z');
    const { atTarget, atNow } = forecastInstants(now, at);
    expect(atTarget.map((d) => d.getTime())).toEqual([1, 2, 3, 4].map((k) => at.getTime() - k * WEEK));
    expect(atNow.map((d) => d.toISOString())).toEqual([
      '2026-05-25T06:00:00.000Z',
      '2026-05-18T06:00:00.000Z',
      '2026-05-11T06:00:00.000Z',
      '2026-05-04T06:00:00.000Z',
    ]);
  });
});
