import { describe, expect, it } from 'vitest';
import { measurementSchema, roundMeasurement } from './measurement.js';

describe('roundMeasurement', () => {
  it.each([
    [3.6, 3.6],
    [3.61234567, 3.6123],
    [-97.25, -97.25],
    [5e-324, 0],
    [-1e-40, 0],
  ])('%s → %s', (x, expected) => {
    expect(roundMeasurement(x)).toBe(expected);
  });

  it('refuses readings outside the range and rounds those inside', () => {
    const volts = measurementSchema(0, 100);
    expect(volts.safeParse(101).success).toBe(false);
    expect(volts.parse(9e-323)).toBe(0);
  });
});
