import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';

export type Db = Kysely<Database>;

const INT8_OID = 20;

/** bigint columns (counts, versions, seq) stay far below 2^53 here: read them as numbers. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number.parseInt(value, 10)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface DbOptions {
  connectionString: string;
  /** Pool size. */
  max?: number;
  applicationName?: string;
  /**
   * Sends statements as named prepared statements, so that each connection parses and plans a
   * statement text once and then runs its cached plan (`preparedStatementPool`). For a process
   * that runs the same few statements many times a second: the ingest commit thread.
   */
  preparedStatements?: boolean;
}

/** Creates a pg pool for the given options (also used for LISTEN and the migration runner). */
export function createPool(options: DbOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'freiplatz',
    types,
  });
  // A client losing its connection (database restart) must not crash the process: idle ones
  // report through the pool, checked-out ones (between the statements of a transaction) directly;
  // the statement in progress fails either way and the broken client is discarded on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Creates a Kysely instance over a new pool. */
export function createDb(options: DbOptions): Db {
  const pool = createPool(options);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: options.preparedStatements ? preparedStatementPool(pool) : pool }) });
}

/** At most this many distinct statement texts get a name; any further text runs unnamed (parsed each time). */
export const MAX_PREPARED_STATEMENTS = 64;

/**
 * A pool for Kysely's Postgres dialect whose clients send each statement under a name derived from
 * its text (node-postgres's `{ name, text, values }` query config). node-postgres parses a named
 * statement once per connection and then only binds and executes it; PostgreSQL keeps its plan and,
 * after five runs, uses a generic plan when that costs no more than planning anew (`plan_cache_mode`).
 * A new connection (after a database restart, say) prepares its statements again by itself.
 *
 * Only the first `MAX_PREPARED_STATEMENTS` distinct texts are named: each one named stays
 * prepared on every connection for the connection's life, and query-builder texts can vary with
 * their input (an `IN` list of n values is a text per n), so the cap bounds that memory on both sides.
 */
export function preparedStatementPool(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED_STATEMENTS) {
      name = `fp_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      names.set(text, name);
    }
    return name;
  };
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let w = wrapped.get(client);
    if (w === undefined) {
      w = {
        // Kysely passes either (text, parameters) or a cursor; cursors keep their own path.
        query: ((textOrCursor: unknown, values?: readonly unknown[]) => {
          if (typeof textOrCursor !== 'string') return client.query(textOrCursor as pg.Submittable);
          const name = nameOf(textOrCursor);
          return client.query(
            name === undefined
              ? { text: textOrCursor, values: values as unknown[] }
              : { name, text: textOrCursor, values: values as unknown[] },
          );
        }) as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
      wrapped.set(client, w);
    }
    return w;
  };
  return { connect: async () => wrap(await pool.connect()), end: () => pool.end() };
}
