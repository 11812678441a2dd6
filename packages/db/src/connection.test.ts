import { createTestDatabase, type TestDatabase } from '@freiplatz/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db, MAX_PREPARED_STATEMENTS } from './connection.js';

// The ingest commit thread sends its statements as named prepared statements (createDb's
// `preparedStatements`). These tests hold the pool wrapper to what that relies on, on a real server.

describe('createDb({ preparedStatements: true })', () => {
  let h: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    h = await createTestDatabase();
    // One connection, so that pg_prepared_statements (per session) shows what earlier statements left.
    db = createDb({ connectionString: h.databaseUrl, max: 1, applicationName: 'prepared-test', preparedStatements: true });
  }, 60_000);

  afterAll(async () => {
    await db?.destroy();
    await h?.close();
  });

  const prepared = async () =>
    (await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements ORDER BY name`.execute(db)).rows;

  it('prepares a statement text once per connection and runs it again with new parameters', async () => {
    const text = 'SELECT $1::int * 2 AS v';
    const first = await sql<{ v: number }>`SELECT ${3}::int * 2 AS v`.execute(db);
    const second = await sql<{ v: number }>`SELECT ${21}::int * 2 AS v`.execute(db);
    expect([first.rows[0]?.v, second.rows[0]?.v]).toEqual([6, 42]);
    const statements = (await prepared()).filter((p) => p.statement === text);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.name).toMatch(/^fp_[0-9a-f]{20}$/);
  });

  it('runs transactions through the same prepared statements', async () => {
    const result = await db.transaction().execute(async (trx) => {
      await sql`CREATE TEMP TABLE prepared_t (n int) ON COMMIT DROP`.execute(trx);
      for (const n of [1, 2, 3]) await sql`INSERT INTO prepared_t VALUES (${n}::int)`.execute(trx);
      return (await sql<{ s: number }>`SELECT sum(n)::int AS s FROM prepared_t`.execute(trx)).rows[0]?.s;
    });
    expect(result).toBe(6);
    expect((await prepared()).filter((p) => p.statement === 'INSERT INTO prepared_t VALUES ($1::int)')).toHaveLength(1);
  });

  it('reports a failing statement and keeps the connection usable', async () => {
    await expect(sql`SELECT ${1}::int / 0`.execute(db)).rejects.toThrow(/division by zero/);
    await expect(sql`SELEC ${1}::int`.execute(db)).rejects.toThrow(/syntax error/);
    // The text that failed to parse was not recorded as prepared: a second run fails the same way.
    await expect(sql`SELEC ${1}::int`.execute(db)).rejects.toThrow(/syntax error/);
    expect((await sql<{ v: number }>`SELECT ${5}::int AS v`.execute(db)).rows[0]?.v).toBe(5);
  });

  it('names at most MAX_PREPARED_STATEMENTS texts; further texts still run, unnamed', async () => {
    const fresh = createDb({ connectionString: h.databaseUrl, max: 1, preparedStatements: true });
    try {
      for (let i = 0; i < MAX_PREPARED_STATEMENTS + 10; i++) {
        const { rows } = await sql<{ v: number }>`SELECT ${i}::int + ${sql.lit(i)} AS v`.execute(fresh);
        expect(rows[0]?.v).toBe(2 * i);
      }
      // This text comes after the cap too: it runs unnamed and sees the session's prepared statements.
      const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'fp\_%'`.execute(
        fresh,
      );
      expect(rows).toHaveLength(MAX_PREPARED_STATEMENTS);
      expect(rows.map((r) => r.statement)).toContain(`SELECT $1::int + ${MAX_PREPARED_STATEMENTS - 1} AS v`);
      expect(rows.map((r) => r.statement)).not.toContain(`SELECT $1::int + ${MAX_PREPARED_STATEMENTS} AS v`);
    } finally {
      await fresh.destroy();
    }
  });

  it('prepares again on a new connection after the old one was terminated', async () => {
    const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0]?.pid;
    const admin = new pg.Client({ connectionString: h.databaseUrl });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    // Statements on the dead connection fail until node-postgres has seen the socket close and the
    // pool drops it (under load that can take more than one statement); the new connection
    // prepares the statement again.
    let again: { v: number; pid: number } | undefined;
    for (let attempt = 0; attempt < 4 && again === undefined; attempt++) {
      again = await sql<{ v: number; pid: number }>`SELECT ${4}::int * 2 AS v, pg_backend_pid() AS pid`.execute(db).then(
        (r) => r.rows[0],
        () => undefined,
      );
    }
    expect(again?.v).toBe(8);
    expect(again?.pid).not.toBe(pid);
  });
});
