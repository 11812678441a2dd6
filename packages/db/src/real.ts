const REAL_MIN_NORMAL = 1.175_494_4e-38;
const REAL_MAX = 3.402_823_4e38;

/**
 * Maps a measurement to what a PostgreSQL `real` column can hold: PostgreSQL rejects magnitudes
 * below float4's normal range (e.g. 9e-323) and above its maximum, which would fail a whole batch.
 * Tiny magnitudes become 0, out-of-range or non-finite values null.
 */
export function toReal(x: number | null | undefined): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  if (Math.abs(x) > REAL_MAX) return null;
  return Math.abs(x) < REAL_MIN_NORMAL ? 0 : x;
}

/** PostgreSQL `text` cannot hold NUL characters (a dead letter's topic or reason may quote input). */
export function toText(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}
