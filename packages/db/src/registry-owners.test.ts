import { parseRegistry, type Registry } from '@freiplatz/domain';
import { buildRegistry, createTestDatabase, type TestDatabase } from '@freiplatz/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRegistry } from './registry.repository.js';
import { RegistryScopeError } from './registry-owners.js';

const registry = (input: unknown): Registry => {
  const parsed = parseRegistry(input);
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.registry;
};
const facility = (id: string, spots: string[], name = `Facility ${id}`) => ({
  id,
  name,
  kind: 'car_park',
  location: { lat: 52.13, lon: 11.63 },
  spots: spots.map((s) => ({ id: s })),
});

describe('importRegistry: who owns what', () => {
  let h: TestDatabase;
  const state = async (id: string) =>
    h.db.selectFrom('facility_state').select(['capacity', 'version']).where('facility_id', '=', id).executeTakeFirstOrThrow();
  const owner = async (spot: string) =>
    (await h.db.selectFrom('spots').select('facility_id').where('id', '=', spot).executeTakeFirstOrThrow()).facility_id;

  beforeAll(async () => {
    h = await createTestDatabase();
    await importRegistry(h.db, buildRegistry({ id: 'allee', spots: 2 }, { id: 'petri', spots: 3 }));
  });
  afterAll(async () => h?.close());

  it('refuses, writing nothing, a scoped import that takes over a spot and its sensor of another facility', async () => {
    const hijack = registry({
      version: 1,
      facilities: [facility('allee', ['allee-1', 'allee-2', 'petri-1'])],
      sensors: [{ id: 'petri-1-s', spotId: 'petri-1' }],
    });
    const before = await state('petri');
    const err = await importRegistry(h.db, hijack, new Date(), { facilityIds: ['allee'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryScopeError);
    expect(err).toMatchObject({ facilityIds: [], spotIds: ['petri-1'], sensorIds: ['petri-1-s'] });
    expect(await owner('petri-1')).toBe('petri');
    expect(await state('petri')).toEqual(before);
    expect((await state('allee')).capacity).toBe(2);
  });

  it('refuses a scoped import that claims a sensor of another facility for its own spot', async () => {
    const claim = registry({ version: 1, facilities: [facility('allee', ['allee-1'])], sensors: [{ id: 'petri-2-s', spotId: 'allee-1' }] });
    const err = await importRegistry(h.db, claim, new Date(), { facilityIds: ['allee'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ spotIds: [], sensorIds: ['petri-2-s'] });
    const sensor = await h.db.selectFrom('sensors').select('spot_id').where('id', '=', 'petri-2-s').executeTakeFirstOrThrow();
    expect(sensor.spot_id).toBe('petri-2');
  });

  it('refuses a scoped import that adds a polled source or sets the open-data publisher (both apply city-wide)', async () => {
    const counted = { id: 'allee', name: 'Allee', kind: 'car_park', location: { lat: 52.13, lon: 11.63 }, capacity: 2 };
    const withSource = registry({
      version: 1,
      facilities: [counted],
      sources: [{ id: 'evil', url: 'http://127.0.0.1:9/feed', format: 'parkapi-v3', pollIntervalSeconds: 60, idMap: { x: 'allee' } }],
    });
    const err = await importRegistry(h.db, withSource, new Date(), { facilityIds: ['allee'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ facilityIds: [], cityWide: ['sources'] });
    const publisher = registry({ version: 1, facilities: [facility('allee', ['allee-1', 'allee-2'])], openData: { publisher: 'Evil' } });
    const err2 = await importRegistry(h.db, publisher, new Date(), { facilityIds: ['allee'] }).catch((e: unknown) => e);
    expect(err2).toMatchObject({ cityWide: ['the open-data publisher'] });
    const rows = async (table: string) =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(h.db)).rows[0]?.n;
    expect(await rows('data_sources')).toBe(0);
    expect(await rows('open_data_publisher')).toBe(0);
  });

  it('lets a scoped import change its own facility', async () => {
    const own = registry({ version: 1, facilities: [facility('allee', ['allee-1', 'allee-2', 'allee-3'])] });
    await importRegistry(h.db, own, new Date(), { facilityIds: ['allee'] });
    expect((await state('allee')).capacity).toBe(3);
  });

  it('recounts both facilities when a city-wide import moves a spot between them, and announces both', async () => {
    const before = { allee: await state('allee'), petri: await state('petri') };
    const move = registry({ version: 1, facilities: [facility('allee', ['allee-1', 'allee-2', 'allee-3', 'petri-3'])] });
    const result = await importRegistry(h.db, move);
    expect(await owner('petri-3')).toBe('allee');
    expect(await state('allee')).toMatchObject({ capacity: 4, version: before.allee.version + 1 });
    expect(await state('petri')).toMatchObject({ capacity: 2, version: before.petri.version + 1 });
    expect(result.changedFacilities.map((c) => c.facilityId).sort()).toEqual(['allee', 'petri']);
  });

  it('announces a rename with a new version although no count changed', async () => {
    const before = await state('petri');
    const rename = registry({ version: 1, facilities: [facility('petri', ['petri-1', 'petri-2'], 'Petriförder')] });
    const result = await importRegistry(h.db, rename);
    expect(result.changedFacilities).toEqual([{ facilityId: 'petri', version: before.version + 1 }]);
    expect(await state('petri')).toMatchObject({ capacity: 2, version: before.version + 1 });
    expect((await importRegistry(h.db, rename)).changedFacilities).toEqual([]);
  });

  it('recounts the facility a sensor leaves for another facility’s spot', async () => {
    const move = registry({
      version: 1,
      facilities: [facility('allee', ['allee-1'])],
      sensors: [{ id: 'petri-2-s', spotId: 'allee-1' }],
    });
    const result = await importRegistry(h.db, move);
    expect(result.changedFacilities.map((c) => c.facilityId).sort()).toEqual(['allee', 'petri']);
  });

  it('never lets a scoped import take over a spot that a concurrent city-wide import is creating', async () => {
    for (let round = 0; round < 10; round++) {
      const spot = `petri-race-${round}`;
      const cityWide = registry({ version: 1, facilities: [facility('petri', ['petri-1', 'petri-2', spot])] });
      const scoped = registry({ version: 1, facilities: [facility('allee', ['allee-1', spot])] });
      const outcomes = await Promise.allSettled([
        importRegistry(h.db, cityWide),
        importRegistry(h.db, scoped, new Date(), { facilityIds: ['allee'] }),
      ]);
      expect(outcomes[0].status).toBe('fulfilled');
      expect(await owner(spot)).toBe('petri');
      if (outcomes[1].status === 'rejected') expect(outcomes[1].reason).toBeInstanceOf(RegistryScopeError);
    }
  });
});
