import { createSilentLogger } from '@freiplatz/config';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../../../../test/harness.js';
import { createApp } from '../app.js';

const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

describe('facilities routes: happy paths', () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  const getJson = async (path: string) => {
    const res = await app.hono.request(path);
    expect(res.status).toBe(200);
    return res.json() as Promise<Record<string, unknown>>;
  };

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(
      buildRegistry(
        {
          id: 'altstadt',
          name: 'Parkhaus Altstadt',
          address: 'Breiter Weg 10, 39104 Magdeburg',
          // Always open: the tests run on any weekday at any hour (tests of hours pin the clock).
          openingHours: '24/7',
          tags: ['centre', 'covered'],
          spots: ['standard', 'standard', 'disabled', 'ev'],
          heartbeatIntervalSeconds: 60,
        },
        { id: 'elbe-camp', kind: 'rv_site', location: { lat: 52.12, lon: 11.65 }, spots: ['camper', 'camper'] },
        { id: 'bays', spots: 5, heartbeatIntervalSeconds: 60 },
      ),
    );
    app = createApp({ db: h.db, logger: createSilentLogger() });
    await h.startIngest();
    const ts = Date.now();
    await h.publish('parking/v1/bays/altstadt-1-s', { occupied: false, ts, seq: 1 });
    await h.publish('parking/v1/bays/altstadt-2-s', { occupied: true, ts, seq: 1 });
    await h.publish('parking/v1/bays/altstadt-3-s', { occupied: false, ts, seq: 1 });
    await vi.waitFor(async () => expect((await getJson('/v1/facilities/altstadt')).availability).toMatchObject({ free: 2, occupied: 1 }), {
      timeout: 10_000,
    });
  });
  afterAll(async () => h?.close());

  it('lists facilities sorted by id with a short availability', async () => {
    const body = await getJson('/v1/facilities');
    expect((body.items as { id: string }[]).map((f) => f.id)).toEqual(['altstadt', 'bays', 'elbe-camp']);
    expect((body.items as unknown[])[0]).toEqual({
      id: 'altstadt',
      name: 'Parkhaus Altstadt',
      kind: 'car_park',
      location: { lat: 52.13, lon: 11.63 },
      availability: { capacity: 4, free: 2, occupied: 1, unknown: 1, closed: 0, status: 'open', updatedAt: iso },
    });
    expect((body.items as unknown[])[2]).toMatchObject({
      kind: 'rv_site',
      availability: { capacity: 2, free: 0, occupied: 0, unknown: 2, status: 'unknown' },
    });
  });

  it('shows a facility with address, opening hours, tags, confidence and per-category counts', async () => {
    expect(await getJson('/v1/facilities/altstadt')).toEqual({
      amenities: {},
      id: 'altstadt',
      name: 'Parkhaus Altstadt',
      kind: 'car_park',
      location: { lat: 52.13, lon: 11.63 },
      address: 'Breiter Weg 10, 39104 Magdeburg',
      openingHours: { osm: '24/7', timeZone: 'Europe/Berlin', openNow: true, nextChange: null },
      tags: ['centre', 'covered'],
      availability: {
        capacity: 4,
        free: 2,
        occupied: 1,
        unknown: 1,
        closed: 0,
        status: 'open',
        updatedAt: iso,
        confidence: 0.75,
        minKnownShare: 0.5,
        byCategory: {
          standard: { capacity: 2, free: 1, occupied: 1, unknown: 0, closed: 0, status: 'almost_full' },
          disabled: { capacity: 1, free: 1, occupied: 0, unknown: 0, closed: 0, status: 'almost_full' },
          ev: { capacity: 1, free: 0, occupied: 0, unknown: 1, closed: 0, status: 'unknown' },
        },
      },
    });
    expect(await getJson('/v1/facilities/elbe-camp')).toMatchObject({ address: null, openingHours: null, tags: [] });
  });

  it('computes each spot status: fresh data free/occupied, never heard, stale or closed otherwise', async () => {
    const ts = Date.now();
    await h.publish('parking/v1/bays/bays-1-s', { occupied: false, ts, seq: 1 });
    await h.publish('parking/v1/bays/bays-2-s', { occupied: true, ts, seq: 1 });
    const stale = new Date(ts - 151_000); // heartbeat 60 s × 2.5 = 150 s
    await h.db
      .insertInto('sensor_state')
      .values({ sensor_id: 'bays-4-s', ts: stale, occupied: false, first_seen_at: stale, last_seen_at: stale, event_count: 1, seq: 1 })
      .execute();
    await h.db.updateTable('spots').set({ closed: true }).where('id', '=', 'bays-5').execute();
    await h.db
      .updateTable('spots')
      .set({ amenities: ['power', 'water'] })
      .where('id', '=', 'bays-1')
      .execute();
    const statuses = async () => ((await getJson('/v1/facilities/bays/spots')).items as { status: string }[]).map((s) => s.status);
    await expect.poll(statuses).toEqual(['free', 'occupied', 'unknown', 'unknown', 'closed']);
    const body = await getJson('/v1/facilities/bays/spots');
    expect((body.items as unknown[])[0]).toEqual({
      id: 'bays-1',
      category: 'standard',
      sensorId: 'bays-1-s',
      status: 'free',
      amenities: ['power', 'water'],
    });
  });

  it('judges freshness by the injected clock', async () => {
    const at = (offsetMs: number) => createApp({ db: h.db, logger: createSilentLogger(), now: () => new Date(Date.now() + offsetMs) });
    const statusOfSpot1 = async (offsetMs: number) => {
      const res = await at(offsetMs).hono.request('/v1/facilities/altstadt/spots');
      return ((await res.json()) as { items: { status: string }[] }).items[0]?.status;
    };
    expect(await statusOfSpot1(0)).toBe('free');
    expect(await statusOfSpot1(10 * 60_000)).toBe('unknown');
  });
});
