import type { DataSource, OpenData, Registry } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

/** Stores the registry's `openData` and `sources[]` (inside the import's transaction); sources are upserted, never removed. */
export async function importOpenData(trx: Kysely<Database>, registry: Registry, now: Date): Promise<void> {
  if (registry.openData) {
    await sql`INSERT INTO open_data_publisher (definition, updated_at) VALUES (${JSON.stringify(registry.openData)}::jsonb, ${now})
      ON CONFLICT (singleton) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`.execute(trx);
  }
  await upsertDataSources(trx, registry.sources, now);
}

/** Stores source definitions (their synthetic counters come with the registry import). */
export async function upsertDataSources(db: Kysely<Database>, sources: readonly DataSource[], now = new Date()): Promise<void> {
  for (const source of sources) {
    await sql`INSERT INTO data_sources (id, definition, updated_at) VALUES (${source.id}, ${JSON.stringify(source)}::jsonb, ${now})
      ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`.execute(db);
  }
}

/** The publisher of the exports; undefined when the registry names none. */
export async function findOpenData(db: Kysely<Database>): Promise<OpenData | undefined> {
  const { rows } = await sql<{ definition: OpenData }>`SELECT definition FROM open_data_publisher`.execute(db);
  return rows[0]?.definition;
}

/** A polled source with what its last answer carried for conditional requests. */
export interface DataSourceRecord {
  source: DataSource;
  etag: string | null;
  lastModified: string | null;
  lastAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
}

/** All sources, by id. */
export async function listDataSources(db: Kysely<Database>): Promise<DataSourceRecord[]> {
  const { rows } = await sql<{
    definition: DataSource;
    etag: string | null;
    last_modified: string | null;
    last_attempt_at: Date | null;
    last_success_at: Date | null;
    last_status: number | null;
    last_error: string | null;
  }>`SELECT definition, etag, last_modified, last_attempt_at, last_success_at, last_status, last_error FROM data_sources ORDER BY id`.execute(
    db,
  );
  return rows.map((r) => ({
    source: r.definition,
    etag: r.etag,
    lastModified: r.last_modified,
    lastAttemptAt: r.last_attempt_at,
    lastSuccessAt: r.last_success_at,
    lastStatus: r.last_status,
    lastError: r.last_error,
  }));
}

/** What one poll found: an HTTP status (null when no answer came) and, on success, the validators for the next request. */
export interface SourcePoll {
  at: Date;
  status: number | null;
  ok: boolean;
  error: string | null;
  etag?: string | null;
  lastModified?: string | null;
}

/** Records a poll's outcome; validators are kept unless the poll brought new ones. */
export async function recordSourcePoll(db: Kysely<Database>, sourceId: string, poll: SourcePoll): Promise<void> {
  await sql`UPDATE data_sources SET last_attempt_at = ${poll.at}, last_status = ${poll.status}, last_error = ${poll.error},
      last_success_at = CASE WHEN ${poll.ok}::boolean THEN ${poll.at}::timestamptz ELSE last_success_at END,
      etag = coalesce(${poll.etag ?? null}::text, etag), last_modified = coalesce(${poll.lastModified ?? null}::text, last_modified)
    WHERE id = ${sourceId}`.execute(db);
}
