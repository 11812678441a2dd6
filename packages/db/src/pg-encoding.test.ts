import { createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral, booleanArrayLiteral, flagsLiteral, numberArrayLiteral, toReal, toText } from './pg-encoding.js';

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

describe('column literals', () => {
  it('renders the values at the given order, NaN as NULL', () => {
    const battery = new Float64Array([1.5, Number.NaN, 2]);
    expect(numberArrayLiteral(battery, [2, 0, 1])).toBe('{2,1.5,NULL}');
    expect(booleanArrayLiteral(new Uint8Array([1, 0, 1]), [1, 2])).toBe('{f,t}');
    expect(numberArrayLiteral(battery, [])).toBe('{}');
    expect([flagsLiteral([]), flagsLiteral(['no_ts']), flagsLiteral(['no_ts', 'clock_skew'])]).toEqual([
      '{}',
      '{no_ts}',
      '{no_ts,clock_skew}',
    ]);
  });
});

// The ingest path hands PostgreSQL hand-built array literals: they must read back exactly as sent.
describe('array literals against PostgreSQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  it('text: quotes, backslashes, braces, commas, spaces, empty, the word NULL, unicode, and NULL itself', async () => {
    const values = ['plain', 'with "quotes"', 'back\\slash', '{braces}', 'a,b', ' spaced ', '', 'NULL', 'null', 'Ümlaut ✓ 🚗', '\\"', null];
    const { rows } = await sql<{ a: Array<string | null> }>`SELECT ${arrayLiteral(values)}::text[] AS a`.execute(h.db);
    expect(rows[0]?.a).toEqual(values);
  });

  it('numbers, booleans and timestamps', async () => {
    const nums = [0, -97, 3.5999999046325684, 1e-30, 123456789012, null];
    const bools = [true, false, null];
    const times = [new Date('2026-11-27T08:00:00.123Z'), new Date(0)];
    const { rows } = await sql<{ n: Array<number | null>; b: Array<boolean | null>; t: Date[]; i: string[] }>`
      SELECT ${arrayLiteral(nums)}::float8[] AS n, ${arrayLiteral(bools)}::boolean[] AS b,
        ${arrayLiteral(times.map((d) => d.toISOString()))}::timestamptz[] AS t, ${arrayLiteral([1, 2])}::bigint[]::text[] AS i`.execute(
      h.db,
    );
    expect(rows[0]?.n).toEqual(nums);
    expect(rows[0]?.b).toEqual(bools);
    expect(rows[0]?.t).toEqual(times);
    expect(rows[0]?.i).toEqual(['1', '2']);
  });

  it('columns in a chosen order', async () => {
    const values = new Float64Array([-71.5, Number.NaN, 1e-30]);
    const { rows } = await sql<{ n: Array<number | null>; b: boolean[] }>`
      SELECT ${numberArrayLiteral(values, [2, 1, 0])}::float8[] AS n, ${booleanArrayLiteral(new Uint8Array([0, 1]), [1, 0])}::boolean[] AS b`.execute(
      h.db,
    );
    expect(rows[0]).toEqual({ n: [1e-30, null, -71.5], b: [true, false] });
  });

  it('an empty array', async () => {
    const { rows } = await sql<{ n: number }>`SELECT cardinality(${arrayLiteral([])}::text[]) AS n`.execute(h.db);
    expect(rows[0]?.n).toBe(0);
  });
});
