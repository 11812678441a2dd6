import { parseRegistry } from '@freiplatz/domain';
import { buildRegistry, createTestDatabase, type TestDatabase } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRegistry, isRegistryEmpty } from './registry.repository.js';

describe('importRegistry', () => {
  let h: TestDatabase;
  beforeAll(async () => {
    h = await createTestDatabase();
  });
  afterAll(async () => h?.close());

  it('imports facilities, spots, sensors and an initial facility state', async () => {
    expect(await isRegistryEmpty(h.db)).toBe(true);
    const result = await importRegistry(h.db, buildRegistry({ id: 'a', spots: 3 }, { id: 'b', spots: ['camper', 'camper'] }));
    expect(result).toMatchObject({ facilities: 2, spots: 5, sensors: 5 });
    expect(await isRegistryEmpty(h.db)).toBe(false);
    const states = await h.db.selectFrom('facility_state').selectAll().orderBy('facility_id').execute();
    expect(states.map((s) => [s.facility_id, s.capacity, s.unknown, s.status])).toEqual([
      ['a', 3, 3, 'unknown'],
      ['b', 2, 2, 'unknown'],
    ]);
  });

  it('is idempotent: a second import changes no row and no version', async () => {
    const before = await h.db.selectFrom('facility_state').select(['facility_id', 'version']).orderBy('facility_id').execute();
    const result = await importRegistry(h.db, buildRegistry({ id: 'a', spots: 3 }, { id: 'b', spots: ['camper', 'camper'] }));
    expect(result.changedFacilities).toEqual([]);
    const after = await h.db.selectFrom('facility_state').select(['facility_id', 'version']).orderBy('facility_id').execute();
    expect(after).toEqual(before);
    expect(await h.db.selectFrom('spots').select('id').execute()).toHaveLength(5);
  });

  it('moves a sensor to another spot and updates the facilities involved', async () => {
    const parsed = parseRegistry({
      version: 1,
      facilities: [
        {
          id: 'a',
          name: 'A',
          kind: 'car_park',
          location: { lat: 52, lon: 11 },
          spots: [{ id: 'a-1' }, { id: 'a-2' }, { id: 'a-3' }, { id: 'a-4' }],
        },
      ],
      sensors: [
        { id: 'a-1-s', spotId: 'a-2' },
        { id: 'a-2-s', spotId: 'a-1' },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.issues.join());
    await importRegistry(h.db, parsed.registry);
    const sensors = await h.db.selectFrom('sensors').select(['id', 'spot_id']).where('id', 'like', 'a-%').orderBy('id').execute();
    expect(sensors).toEqual([
      { id: 'a-1-s', spot_id: 'a-2' },
      { id: 'a-2-s', spot_id: 'a-1' },
      { id: 'a-3-s', spot_id: 'a-3' },
    ]);
    const a = await h.db.selectFrom('facility_state').selectAll().where('facility_id', '=', 'a').executeTakeFirstOrThrow();
    expect(a.capacity).toBe(4);
  });
});
