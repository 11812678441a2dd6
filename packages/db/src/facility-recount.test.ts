import { computeSpotStatus, countSpots, summarizeFacility } from '@freiplatz/domain';
import { buildRegistry, createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshFacilityState } from './facility-recount.js';

const now = new Date('2026-11-27T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe('refreshFacilityState', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  it('counts spots in SQL exactly as the domain rule does', async () => {
    const registry = buildRegistry({
      id: 'mix',
      spots: ['standard', 'standard', 'standard', 'disabled', 'ev', 'ev', 'camper'],
      heartbeatIntervalSeconds: 600,
    });
    await h.importRegistry(registry);
    // [seconds since last seen, occupied] per sensor; undefined = never heard
    const reports: Array<[number, boolean] | undefined> = [
      [10, false],
      [1499, true],
      [1501, false],
      [100, false],
      undefined,
      [3000, true],
      [5, true],
    ];
    const rows = reports.flatMap((r, i) =>
      r
        ? [
            {
              sensor_id: `mix-${i + 1}-s`,
              ts: ago(r[0]),
              seq: 1,
              occupied: r[1],
              first_seen_at: ago(r[0]),
              last_seen_at: ago(r[0]),
              event_count: 1,
            },
          ]
        : [],
    );
    await h.db.insertInto('sensor_state').values(rows).execute();
    await h.db.updateTable('spots').set({ closed: true }).where('id', '=', 'mix-6').execute();

    await h.db.transaction().execute((trx) => refreshFacilityState(trx, ['mix'], now));
    const state = await h.db.selectFrom('facility_state').selectAll().where('facility_id', '=', 'mix').executeTakeFirstOrThrow();

    const facility = registry.facilities[0]!;
    const expected = summarizeFacility(
      countSpots(
        facility.spots.map((spot, i) => {
          const r = reports[i];
          const status = computeSpotStatus(
            {
              closed: spot.id === 'mix-6',
              sensor: { heartbeatIntervalSeconds: 600 },
              state: r ? { occupied: r[1], lastSeenAt: ago(r[0]) } : null,
            },
            now,
          );
          return { category: spot.category, status };
        }),
      ),
      { almostFullThreshold: facility.almostFullThreshold, minKnownShare: facility.minKnownShare },
    );
    expect(state).toMatchObject({
      capacity: expected.capacity,
      free: expected.free,
      occupied: expected.occupied,
      unknown: expected.unknown,
      closed: expected.closed,
      status: expected.status,
    });
    expect(state.by_category).toEqual(expected.byCategory);
    expect(state.confidence).toBeCloseTo(expected.confidence, 3);
    expect(expected).toMatchObject({ free: 2, occupied: 2, unknown: 2, closed: 1 });
  });

  it('bumps the version only when something changed', async () => {
    const before = await h.db.selectFrom('facility_state').select('version').where('facility_id', '=', 'mix').executeTakeFirstOrThrow();
    const unchanged = await h.db.transaction().execute((trx) => refreshFacilityState(trx, ['mix'], now));
    expect(unchanged).toEqual([]);
    // Time passing turns the sensor heard 1,499 s ago stale: that is a change.
    const later = await h.db.transaction().execute((trx) => refreshFacilityState(trx, ['mix'], new Date(now.getTime() + 10_000)));
    expect(later).toMatchObject([{ facilityId: 'mix', version: before.version + 1, state: { version: before.version + 1, unknown: 3 } }]);
  });
});
