// How values are handed to PostgreSQL on the write path: measurements as a `real` column holds
// them, text without NUL, and arrays as hand-built literals (`${literal}::text[]` and the like).

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

/**
 * A PostgreSQL array literal of scalars, for `${arrayLiteral(xs)}::text[]` and the like. pg's own
 * serializer escapes element by element through several calls each; this one pass costs a fraction
 * of that, which shows at thousands of elements per ingest batch. Strings are always quoted (so
 * `NULL` stays a string), `"` and `\` escaped; null and undefined become SQL NULL.
 */
export function arrayLiteral(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'string') out += `"${v.includes('"') || v.includes('\\') ? v.replace(/["\\]/g, '\\$&') : v}"`;
    else out += String(v);
  }
  return `${out}}`;
}

/** An event's flags as PostgreSQL array text (flags are plain words: nothing to quote), e.g. `{no_ts}`. */
export const flagsLiteral = (flags: readonly string[]): string => (flags.length === 0 ? '{}' : `{${flags.join(',')}}`);

/** A PostgreSQL array literal of the numbers at `order` (NaN as NULL). */
export function numberArrayLiteral(values: ArrayLike<number>, order: readonly number[]): string {
  let out = '{';
  for (let i = 0; i < order.length; i++) {
    const v = values[order[i] as number] as number;
    if (i > 0) out += ',';
    out += Number.isNaN(v) ? 'NULL' : String(v);
  }
  return `${out}}`;
}

/** A PostgreSQL boolean array literal of the flags (0/1) at `order`. */
export function booleanArrayLiteral(values: Uint8Array, order: readonly number[]): string {
  let out = '{';
  for (let i = 0; i < order.length; i++) {
    if (i > 0) out += ',';
    out += values[order[i] as number] === 1 ? 't' : 'f';
  }
  return `${out}}`;
}
