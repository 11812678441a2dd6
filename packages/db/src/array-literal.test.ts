import { createTestDatabase, type TestDatabase } from '@freiplatz/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral } from './real.js';

// The ingest path hands PostgreSQL hand-built array literals: they must read back exactly as sent.
describe('arrayLiteral against PostgreSQL', () => {
  let h: TestDatabase;
  beforeAll(async () => {
    h = await createTestDatabase();
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

  it('an empty array', async () => {
    const { rows } = await sql<{ n: number }>`SELECT cardinality(${arrayLiteral([])}::text[]) AS n`.execute(h.db);
    expect(rows[0]?.n).toBe(0);
  });
});
