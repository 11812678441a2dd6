import { computeSpotStatus, DEFAULT_STALE_FACTOR } from '@freiplatz/domain';
import { createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sensorStatusSql } from './spot-rule.js';

const now = new Date('2026-11-27T12:00:00Z');
const HEARTBEAT_S = 600;
const limitS = HEARTBEAT_S * DEFAULT_STALE_FACTOR;

// Last heard `silentS` seconds ago (null: never), around the stale limit to the second.
const cases = [
  { silentS: null, occupied: null, expected: 'unknown' },
  { silentS: 0, occupied: true, expected: 'occupied' },
  { silentS: 10, occupied: false, expected: 'free' },
  { silentS: limitS - 1, occupied: true, expected: 'occupied' },
  { silentS: limitS - 1, occupied: false, expected: 'free' },
  { silentS: limitS + 1, occupied: true, expected: 'unknown' },
  { silentS: limitS + 1, occupied: false, expected: 'unknown' },
  { silentS: HEARTBEAT_S * 10, occupied: false, expected: 'unknown' },
];

describe('sensorStatusSql', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  it.each(cases)(
    'silent $silentS s, occupied $occupied: $expected, in SQL as in computeSpotStatus',
    async ({ silentS, occupied, expected }) => {
      const lastSeenAt = silentS === null ? null : new Date(now.getTime() - silentS * 1000);
      const { rows } = await sql<{ status: string }>`SELECT ${sensorStatusSql(
        sql`${occupied}::boolean`,
        sql`${lastSeenAt}::timestamptz`,
        sql`${HEARTBEAT_S}::int`,
        now,
      )} AS status`.execute(h.db);
      const state = lastSeenAt === null || occupied === null ? null : { occupied, lastSeenAt };
      const domain = computeSpotStatus({ closed: false, sensor: { heartbeatIntervalSeconds: HEARTBEAT_S }, state }, now);
      // Both sides of the stale limit are in the table: a factor other than the domain's fails one of them.
      expect(domain).toBe(expected);
      expect(rows[0]?.status).toBe(domain);
    },
  );
});
