import { createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  boolArray,
  flagsLiteral,
  float4Array,
  float8Array,
  int4Array,
  int8Array,
  textArray,
  timestamptzArray,
  toReal,
  toText,
} from './pg-encoding.js';

describe('toReal', () => {
  it.each([
    [3.6, 3.6],
    [-97, -97],
    [0, 0],
    [9e-323, 0],
    [-1e-40, 0],
    [1e39, null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    [null, null],
    [undefined, null],
  ])('%s → %s', (input, expected) => {
    expect(toReal(input)).toBe(expected);
  });
});

describe('toText', () => {
  it('replaces NUL characters, which PostgreSQL text cannot hold', () => {
    expect(toText('a\u0000b')).toBe('a\uFFFDb');
    expect(toText('plain')).toBe('plain');
  });
});

describe('flags', () => {
  it('as PostgreSQL array text', () => {
    expect([flagsLiteral([]), flagsLiteral(['no_ts']), flagsLiteral(['no_ts', 'clock_skew'])]).toEqual([
      '{}',
      '{no_ts}',
      '{no_ts,clock_skew}',
    ]);
  });
});

describe('binary arrays', () => {
  it("have array_send's layout: one dimension from 1, the has-nulls flag, the element type", () => {
    const b = float8Array(new Float64Array([1.5, Number.NaN]));
    expect([0, 4, 8, 12, 16].map((o) => b.readInt32BE(o))).toEqual([1, 1, 701, 2, 1]);
    expect([b.readInt32BE(20), b.readDoubleBE(24), b.readInt32BE(32)]).toEqual([8, 1.5, -1]);
    expect(b.length).toBe(36);
    expect(int8Array([-1]).subarray(24).toString('hex')).toBe('ffffffffffffffff');
    expect(
      int8Array([2 ** 53 - 1])
        .subarray(24)
        .toString('hex'),
    ).toBe('001fffffffffffff');
    // No dimension when empty.
    expect([textArray([]).length, textArray([]).readInt32BE(0), int4Array([]).length]).toEqual([12, 0, 12]);
  });
});

// The ingest path hands PostgreSQL binary arrays: they must read back exactly as sent.
describe('binary arrays against PostgreSQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  it('text: quotes, backslashes, braces, commas, spaces, empty, the word NULL, unicode, and NULL itself', async () => {
    const values = ['plain', 'with "quotes"', 'back\\slash', '{braces}', 'a,b', ' spaced ', '', 'NULL', 'null', 'Ümlaut ✓ 🚗', '\\"', null];
    const { rows } = await sql<{ a: Array<string | null> }>`SELECT ${textArray(values)}::text[] AS a`.execute(h.db);
    expect(rows[0]?.a).toEqual(values);
  });

  it('numbers, booleans and timestamps, NaN as NULL', async () => {
    const doubles = [0, -97, 3.5999999046325684, 1e-30, 123456789012, 1796537380100.5, -0, Number.NaN];
    const reals = [3.61, -97, 0, 1e-40, 3.4e38, Number.NaN].map((x) => toReal(x) ?? Number.NaN);
    const bigints = [0, -1, 2 ** 53 - 1, -(2 ** 53) + 1, 4_294_967_296, 4_294_967_295, Number.NaN];
    const ints = [0, -1, 2 ** 31 - 1, -(2 ** 31), Number.NaN];
    const times = ['2026-11-27T08:00:00.123Z', '1970-01-01T00:00:00.000Z', '1999-12-31T23:59:59.999Z', '2000-01-01T00:00:00.000Z'];
    const { rows } = await sql<{
      d: Array<number | null>;
      r: Array<number | null>;
      i8: string[];
      i4: Array<number | null>;
      b: boolean[];
      t: Date[];
    }>`
      SELECT ${float8Array(doubles)}::float8[] AS d, ${float4Array(reals)}::real[]::float8[] AS r,
        ${int8Array(bigints)}::bigint[]::text[] AS i8, ${int4Array(ints)}::int[] AS i4,
        ${boolArray(new Uint8Array([1, 0, 1]))}::boolean[] AS b,
        ${timestamptzArray(times.map((t) => Date.parse(t)))}::timestamptz[] AS t`.execute(h.db);
    expect(rows[0]?.d).toEqual([0, -97, 3.5999999046325684, 1e-30, 123456789012, 1796537380100.5, -0, null]);
    expect(rows[0]?.r).toEqual([Math.fround(3.61), -97, 0, 0, Math.fround(3.4e38), null]);
    expect(rows[0]?.i8).toEqual(['0', '-1', '9007199254740991', '-9007199254740991', '4294967296', '4294967295', null]);
    expect(rows[0]?.i4).toEqual([0, -1, 2 ** 31 - 1, -(2 ** 31), null]);
    expect(rows[0]?.b).toEqual([true, false, true]);
    expect(rows[0]?.t.map((d) => d.toISOString())).toEqual(times);
  });

  it('timestamps to the microsecond, the same instants as the text form', async () => {
    const ms = [Date.parse('2026-12-06T06:00:00.001Z'), 1796537380100.25];
    const { rows } = await sql<{ same: boolean[]; us: string[] }>`
      SELECT array_agg(t = ('2000-01-01T00:00:00Z'::timestamptz + make_interval(secs => (e - 946684800000) / 1000)) ORDER BY n) AS same,
        array_agg(to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') ORDER BY n) AS us
      FROM unnest(${timestamptzArray(ms)}::timestamptz[], ${float8Array(ms)}::float8[]) WITH ORDINALITY AS x(t, e, n)`.execute(h.db);
    expect(rows[0]?.same).toEqual([true, true]);
    expect(rows[0]?.us).toEqual(['2026-12-06 06:00:00.001000', '2026-12-06 06:09:40.100250']);
  });

  it('columns in a chosen order', async () => {
    const values = new Float64Array([-71.5, Number.NaN, 1e-30]);
    const { rows } = await sql<{ n: Array<number | null>; b: boolean[]; i: Array<string | null> }>`
      SELECT ${float8Array(values, [2, 1, 0])}::float8[] AS n, ${boolArray(new Uint8Array([0, 1]), [1, 0])}::boolean[] AS b,
        ${int8Array(new Float64Array([7, -1]), [1, 0, 1])}::bigint[]::text[] AS i`.execute(h.db);
    expect(rows[0]).toEqual({ n: [1e-30, null, -71.5], b: [true, false], i: ['-1', '7', '-1'] });
  });

  it('empty arrays of every type', async () => {
    const { rows } = await sql<{ n: number[] }>`
      SELECT ARRAY[cardinality(${textArray([])}::text[]), cardinality(${float8Array([])}::float8[]), cardinality(${float4Array([])}::real[]),
        cardinality(${int8Array([])}::bigint[]), cardinality(${int4Array([])}::int[]), cardinality(${boolArray(new Uint8Array(0))}::boolean[]),
        cardinality(${timestamptzArray([])}::timestamptz[])] AS n`.execute(h.db);
    expect(rows[0]?.n).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
});
