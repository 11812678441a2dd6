import { DEFAULT_STALE_FACTOR } from '@freiplatz/domain';
import { type RawBuilder, sql } from 'kysely';

/**
 * The spot rule in SQL: `freiplatz_sensor_status` (migration 0007), the SQL copy of
 * `computeSpotStatus` in @freiplatz/domain, with the domain's stale factor as a parameter (the
 * function has no default of its own). spot-rule.test.ts holds the two together.
 */
export function sensorStatusSql(
  occupied: RawBuilder<unknown>,
  lastSeenAt: RawBuilder<unknown>,
  heartbeatSeconds: RawBuilder<unknown>,
  now: Date,
  staleFactor = DEFAULT_STALE_FACTOR,
): RawBuilder<'free' | 'occupied' | 'unknown'> {
  return sql`freiplatz_sensor_status(${occupied}, ${lastSeenAt}, ${heartbeatSeconds}, ${now}::timestamptz, ${staleFactor}::float8)`;
}
