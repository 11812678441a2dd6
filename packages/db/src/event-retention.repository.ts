import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

/**
 * Applies the raw-event retention of migration 0017 as of `now`: on plain PostgreSQL creates the
 * daily partitions of the coming `daysAhead` days and drops (whole) those older than
 * `retentionDays`; on TimescaleDB sets the retention policy. Returns the partitions dropped.
 */
export async function maintainEventPartitions(db: Kysely<Database>, retentionDays: number, now: Date, daysAhead = 7): Promise<string[]> {
  const { rows } = await sql<{ dropped: string[] }>`
    SELECT freiplatz_maintain_event_partitions(make_interval(days => ${retentionDays}::int), ${now}::timestamptz, ${daysAhead}::int) AS dropped`.execute(
    db,
  );
  return rows[0]?.dropped ?? [];
}
