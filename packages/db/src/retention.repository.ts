import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

/** Tables whose rows expire, each with the column that dates a row (indexed: migrations 0001, 0003). */
const dated = { ingest_rejects: 'received_at', audit_log: 'at' } as const;
export type ExpiringTable = keyof typeof dated;

/**
 * Deletes at most `limit` rows of `table` dated before `before`, oldest first; returns how many.
 * Small batches keep each transaction short (no long lock, no large WAL burst); the caller repeats.
 */
export async function deleteExpiredRows(db: Kysely<Database>, table: ExpiringTable, before: Date, limit: number): Promise<number> {
  const column = sql.ref(dated[table]);
  const result = await sql`
    DELETE FROM ${sql.table(table)} WHERE id IN (
      SELECT id FROM ${sql.table(table)} WHERE ${column} < ${before} ORDER BY ${column} LIMIT ${limit})`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
