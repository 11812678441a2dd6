import { buildRegistry, createTestDatabase, type TestDatabase } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFacility, findFacilityVersion, listFacilities, listSpots } from './facilities.repository.js';

describe('facilities repository', () => {
  let h: TestDatabase;
  beforeAll(async () => {
    h = await createTestDatabase();
    await h.importRegistry(
      buildRegistry(
        { id: 'b-lot', spots: ['standard', 'disabled'], address: 'Breiter Weg 1', openingHours: '24/7', tags: ['centre'] },
        { id: 'a-lot', spots: 1, withoutSensors: true },
      ),
    );
  });
  afterAll(async () => h?.close());

  it('lists facilities ordered by id with their maintained state in camelCase', async () => {
    const facilities = await listFacilities(h.db);
    expect(facilities.map((f) => f.id)).toEqual(['a-lot', 'b-lot']);
    expect(facilities[1]).toMatchObject({
      id: 'b-lot',
      kind: 'car_park',
      location: { lat: 52.13, lon: 11.63 },
      address: 'Breiter Weg 1',
      openingHours: '24/7',
      tags: ['centre'],
      state: { capacity: 2, free: 0, occupied: 0, unknown: 2, status: 'unknown' },
    });
    expect(facilities[1]?.state.updatedAt).toBeInstanceOf(Date);
    expect(facilities[1]?.state.byCategory).toMatchObject({ disabled: { capacity: 1, unknown: 1 }, standard: { capacity: 1 } });
  });

  it('finds one facility, or undefined for an unknown id', async () => {
    expect((await findFacility(h.db, 'a-lot'))?.address).toBeNull();
    expect(await findFacility(h.db, 'nope')).toBeUndefined();
  });

  it('reads only the state version, which moves when the state changes', async () => {
    const { version } = await h.db
      .selectFrom('facility_state')
      .select('version')
      .where('facility_id', '=', 'b-lot')
      .executeTakeFirstOrThrow();
    expect(await findFacilityVersion(h.db, 'b-lot')).toBe(version);
    await h.db
      .updateTable('facility_state')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('facility_id', '=', 'b-lot')
      .execute();
    expect(await findFacilityVersion(h.db, 'b-lot')).toBe(version + 1);
    expect(await findFacilityVersion(h.db, 'nope')).toBeUndefined();
  });

  it('lists spots with their sensor heartbeat and latest sensor state', async () => {
    const seen = new Date('2025-05-01T10:00:00Z');
    await h.db
      .insertInto('sensor_state')
      .values({ sensor_id: 'b-lot-1-s', ts: seen, occupied: true, first_seen_at: seen, last_seen_at: seen, event_count: 1, seq: 1 })
      .execute();
    const spots = await listSpots(h.db, 'b-lot');
    expect(spots).toEqual([
      {
        id: 'b-lot-1',
        facilityId: 'b-lot',
        category: 'standard',
        amenities: [],
        closed: false,
        sensor: { id: 'b-lot-1-s', heartbeatIntervalSeconds: 600 },
        sensorState: { occupied: true, lastSeenAt: seen },
      },
      {
        id: 'b-lot-2',
        facilityId: 'b-lot',
        category: 'disabled',
        amenities: [],
        closed: false,
        sensor: { id: 'b-lot-2-s', heartbeatIntervalSeconds: 600 },
        sensorState: null,
      },
    ]);
    expect(await listSpots(h.db, 'a-lot')).toMatchObject([{ id: 'a-lot-1', sensor: null, sensorState: null }]);
    expect(await listSpots(h.db, 'nope')).toEqual([]);
  });
});
