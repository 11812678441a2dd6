// How values are handed to PostgreSQL on the write path: measurements as a `real` column holds
// them, text without NUL, and arrays in PostgreSQL's binary format (`${float8Array(xs)}::float8[]` and the like).

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

/** An event's flags as PostgreSQL array text (flags are plain words: nothing to quote), e.g. `{no_ts}`. */
export const flagsLiteral = (flags: readonly string[]): string => (flags.length === 0 ? '{}' : `{${flags.join(',')}}`);

/**
 * Columns of the write path as PostgreSQL binary arrays: a Buffer parameter is sent in binary
 * format (node-postgres does so for every Buffer), and a parameter cast in the statement
 * (`${float8Array(...)}::float8[]`) is read by the type's binary receive function. The layout is
 * `array_send`'s (PostgreSQL's src/backend/utils/adt/arrayfuncs.c): dimensions, a has-nulls flag,
 * the element type, length and lower bound, then each element as its byte length (-1: NULL) and
 * its bytes, integers big-endian. Against text literals this saves formatting every number here
 * and parsing it back there, ~16 numbers per stored event (services/ingest/README.md, "Write path
 * and batch size"); pg-encoding.test.ts holds each type against the server.
 */
const ELEMENT_OID = { bool: 16, int8: 20, int4: 23, text: 25, float4: 700, float8: 701, timestamptz: 1184 } as const;

/** PostgreSQL's timestamp epoch (2000-01-01T00:00:00Z) in Unix milliseconds. */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 4_294_967_296;

type ElementWriter = (view: DataView, offset: number, value: number) => void;

/** An array of `n` fixed-size elements, each from `value(k)`: NaN is NULL. */
function fixedArray(oid: number, size: number, n: number, value: (k: number) => number, write: ElementWriter): Buffer {
  const buf = Buffer.allocUnsafe(20 + n * (4 + size));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = 20;
  let nulls = 0;
  for (let k = 0; k < n; k++) {
    const v = value(k);
    if (Number.isNaN(v)) {
      view.setInt32(o, -1);
      o += 4;
      nulls = 1;
    } else {
      view.setInt32(o, size);
      write(view, o + 4, v);
      o += 4 + size;
    }
  }
  writeHeader(view, n, nulls, oid);
  return buf.subarray(0, n === 0 ? 12 : o);
}

/** One dimension of `n` elements from index 1; an empty array has no dimension (12 bytes, as `array_send` writes `{}`). */
function writeHeader(view: DataView, n: number, hasNulls: number, oid: number): void {
  view.setInt32(0, n === 0 ? 0 : 1);
  view.setInt32(4, hasNulls);
  view.setInt32(8, oid);
  view.setInt32(12, n);
  view.setInt32(16, 1);
}

/** A whole number within ±2^53 as int8 (high and low 32 bits). */
const writeInt64: ElementWriter = (view, o, v) => {
  const high = Math.floor(v / TWO_32);
  view.setInt32(o, high);
  view.setUint32(o + 4, v - high * TWO_32);
};

const at = (values: ArrayLike<number>, order: readonly number[] | undefined) =>
  order === undefined ? (k: number) => values[k] as number : (k: number) => values[order[k] as number] as number;
const length = (values: ArrayLike<unknown>, order: readonly number[] | undefined) => (order === undefined ? values.length : order.length);

/** `float8[]` of the numbers (at `order`, when given); NaN is NULL. */
export function float8Array(values: ArrayLike<number>, order?: readonly number[]): Buffer {
  return fixedArray(ELEMENT_OID.float8, 8, length(values, order), at(values, order), (view, o, v) => view.setFloat64(o, v));
}

/** `real[]` of measurements already mapped by `toReal` (at `order`, when given); NaN is NULL. */
export function float4Array(values: ArrayLike<number>, order?: readonly number[]): Buffer {
  return fixedArray(ELEMENT_OID.float4, 4, length(values, order), at(values, order), (view, o, v) => view.setFloat32(o, v));
}

/** `bigint[]` of whole numbers within ±2^53 (at `order`, when given); NaN is NULL. */
export function int8Array(values: ArrayLike<number>, order?: readonly number[]): Buffer {
  return fixedArray(ELEMENT_OID.int8, 8, length(values, order), at(values, order), writeInt64);
}

/** `integer[]` (at `order`, when given); NaN is NULL. */
export function int4Array(values: ArrayLike<number>, order?: readonly number[]): Buffer {
  return fixedArray(ELEMENT_OID.int4, 4, length(values, order), at(values, order), (view, o, v) => view.setInt32(o, v));
}

/** `timestamptz[]` of Unix milliseconds (at `order`, when given), exact to the microsecond; NaN is NULL. */
export function timestamptzArray(ms: ArrayLike<number>, order?: readonly number[]): Buffer {
  const value = at(ms, order);
  return fixedArray(ELEMENT_OID.timestamptz, 8, length(ms, order), (k) => Math.round((value(k) - PG_EPOCH_MS) * 1000), writeInt64);
}

/** `boolean[]` of flags (0/1, at `order`, when given). */
export function boolArray(values: Uint8Array, order?: readonly number[]): Buffer {
  return fixedArray(ELEMENT_OID.bool, 1, length(values, order), at(values, order), (view, o, v) => view.setUint8(o, v === 0 ? 0 : 1));
}

/** Writes `s` as UTF-8 at `offset`, returns the byte count (ASCII byte by byte: `Buffer#write` costs more than short ids take). */
function writeUtf8(buf: Buffer, s: string, offset: number): number {
  for (let k = 0; k < s.length; k++) {
    const code = s.charCodeAt(k);
    if (code >= 0x80) return buf.write(s, offset, 'utf8');
    buf[offset + k] = code;
  }
  return s.length;
}

/**
 * `text[]` of the strings (null is NULL), in UTF-8. Like any text parameter they may not contain
 * NUL (`toText` for text from outside).
 */
export function textArray(values: ReadonlyArray<string | null | undefined>): Buffer {
  let max = 20;
  for (let k = 0; k < values.length; k++) max += 4 + 3 * (values[k]?.length ?? 0);
  const buf = Buffer.allocUnsafe(max);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = 20;
  let nulls = 0;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (v === null || v === undefined) {
      view.setInt32(o, -1);
      o += 4;
      nulls = 1;
      continue;
    }
    const bytes = writeUtf8(buf, v, o + 4);
    view.setInt32(o, bytes);
    o += 4 + bytes;
  }
  writeHeader(view, values.length, nulls, ELEMENT_OID.text);
  return buf.subarray(0, values.length === 0 ? 12 : o);
}
