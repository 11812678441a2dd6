import { Kysely, PostgresDialect } from 'kysely';
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
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(options) }) });
}
