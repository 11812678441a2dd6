import { z } from 'zod';

/**
 * Rounds a sensor reading (volts, dBm, °C, %) to 4 decimals: finer is noise, and magnitudes
 * like 5e-324 would not fit the database's `real` columns (one such value would fail a batch).
 */
export function roundMeasurement(x: number): number {
  const r = Math.round(x * 10_000) / 10_000;
  return r === 0 ? 0 : r;
}

/** A reading within [min, max], rounded to a storable precision. */
export function measurementSchema(min: number, max: number) {
  return z.number().min(min).max(max).transform(roundMeasurement);
}

/** Plausible temperature range of a sensor, °C. */
export const TEMPERATURE_RANGE = { min: -60, max: 120 } as const;
