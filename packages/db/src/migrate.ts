import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The repository's `migrations/` folder. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

const LOCK_KEY = 0x46_72_65_69; // "Frei": one advisory lock for all migration runners

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

interface MigrationFile {
  file: string;
  sql: string;
  checksum: string;
}

async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(`${dir}/${file}`, 'utf8');
      return { file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

const changedError = (file: string, recorded: string, checksum: string) =>
  new MigrationError(`migration ${file} was changed after it was applied (checksum ${recorded.slice(0, 12)} → ${checksum.slice(0, 12)})`);

/** Applies pending SQL migrations in file-name order, each in its own transaction, under an advisory lock. */
export async function migrate(connectionString: string, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const migrations = await readMigrations(dir);
  const client = new pg.Client({ connectionString, application_name: 'freiplatz-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations');
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    const result: MigrationResult = { applied: [], skipped: [] };
    for (const { file, sql, checksum } of migrations) {
      const recorded = done.get(file);
      if (recorded !== undefined) {
        if (recorded !== checksum) throw changedError(file, recorded, checksum);
        result.skipped.push(file);
        continue;
      }
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [file, checksum]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
      result.applied.push(file);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

/** Migrations in `dir` that the database has not applied yet (read-only: needs SELECT on `schema_migrations` only). */
export async function pendingMigrations(connectionString: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const client = new pg.Client({ connectionString, application_name: 'freiplatz-migrate-check' });
  await client.connect();
  try {
    const { rows: exists } = await client.query<{ ok: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS ok`);
    if (!exists[0]?.ok) return migrations.map((m) => m.file);
    const { rows } = await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations');
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    const pending: string[] = [];
    for (const { file, checksum } of migrations) {
      const recorded = done.get(file);
      if (recorded === undefined) pending.push(file);
      else if (recorded !== checksum) throw changedError(file, recorded, checksum);
    }
    return pending;
  } finally {
    await client.end();
  }
}

/**
 * Refuses to go on when the schema lags behind this build's migrations. The services call it at
 * start-up instead of migrating: only `pnpm db:migrate` (as the schema owner) changes the schema.
 */
export async function assertMigrated(connectionString: string, dir = MIGRATIONS_DIR): Promise<void> {
  const pending = await pendingMigrations(connectionString, dir);
  if (pending.length > 0) {
    throw new MigrationError(`schema not migrated: run pnpm db:migrate (pending: ${pending.join(', ')})`);
  }
}
