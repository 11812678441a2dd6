import { createSilentLogger } from '@freiplatz/config';
import { refreshFacilityState } from '@freiplatz/db';
import { buildRegistry, createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { facilityDetailSchema, facilityPageSchema, signageSchema } from '../openapi/schemas.js';

// Issue #15: what drivers, signs and operators see must be true.
// The clock is pinned: 2026-12-13 is a Sunday; 00:00 UTC is 01:00 in Berlin.
const sundayNight = new Date('2026-12-13T00:00:00Z');
const saturdayNoon = new Date('2026-12-12T11:00:00Z');
const WEEK = 7 * 86_400;

type Json = Record<string, unknown>;
type Counts = { capacity: number; free: number; occupied: number; unknown: number; closed: number; status: string };
const sumUp = (c: Counts) => c.free + c.occupied + c.unknown + c.closed;

describe('what the API says is true (issue #15)', () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await app.hono.request(path, { headers });
    return { status: res.status, text: await res.clone().text(), json: () => res.json() as Promise<Json> };
  };
  const getJson = async (path: string, headers: Record<string, string> = {}) => {
    const res = await get(path, headers);
    expect(res.status, path).toBe(200);
    return res.json();
  };
  /** Sensor states as of `at`: free, occupied, or left out (never heard). */
  const report = async (at: Date, states: Record<string, boolean>) => {
    const rows = Object.entries(states).map(([sensorId, occupied]) => ({
      sensor_id: sensorId,
      ts: at,
      seq: 1,
      occupied,
      first_seen_at: at,
      last_seen_at: at,
      event_count: 1,
    }));
    await h.db
      .insertInto('sensor_state')
      .values(rows)
      .onConflict((oc) => oc.column('sensor_id').doUpdateSet((eb) => ({ occupied: eb.ref('excluded.occupied') })))
      .execute();
  };
  const recount = (id: string, now: Date) => h.db.transaction().execute((trx) => refreshFacilityState(trx, [id], now));

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(
      buildRegistry(
        // 8 standard bays all free, 2 disabled bays both taken: the facility is open, its disabled bays are full.
        { id: 'mall', spots: [...Array(8).fill('standard'), 'disabled', 'disabled'], heartbeatIntervalSeconds: WEEK },
        { id: 'thirty', spots: 30, heartbeatIntervalSeconds: WEEK },
        { id: 'trusting', spots: 30, heartbeatIntervalSeconds: WEEK, minKnownShare: 0.02 },
        { id: 'allee', spots: 4, heartbeatIntervalSeconds: WEEK, openingHours: 'Mo-Sa 07:00-22:00' },
        { id: 'closing', spots: 6, heartbeatIntervalSeconds: WEEK },
      ),
    );
    app = createApp({ db: h.db, logger: createSilentLogger() });
    await report(saturdayNoon, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`mall-${i + 1}-s`, i >= 8])));
    await report(saturdayNoon, { 'thirty-1-s': true, 'trusting-1-s': true });
    await report(saturdayNoon, { 'allee-1-s': false, 'allee-2-s': false, 'allee-3-s': true, 'allee-4-s': false });
    await report(saturdayNoon, Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`closing-${i + 1}-s`, i < 2])));
    await h.db.updateTable('spots').set({ closed: true }).where('id', 'in', ['closing-5', 'closing-6']).execute();
    for (const id of ['mall', 'thirty', 'trusting', 'closing']) await recount(id, saturdayNoon);
    await recount('allee', sundayNight);
  });
  afterAll(async () => h?.close());

  describe('1. a category view shows that category’s counts and status, never the facility’s', () => {
    const disabled = { capacity: 2, free: 0, occupied: 2, unknown: 0, closed: 0, status: 'full' };

    it('in the list: availability and category are the category’s', async () => {
      const whole = (await getJson('/v1/facilities')).items as Json[];
      expect(whole.find((i) => i.id === 'mall')?.availability).toMatchObject({ capacity: 10, free: 8, status: 'open' });
      const items = (await getJson('/v1/facilities?category=disabled')).items as Json[];
      expect(items.map((i) => i.id)).toEqual(['mall']);
      expect(items[0]?.availability).toEqual({ ...disabled, updatedAt: expect.any(String) });
      expect(items[0]?.category).toEqual({ name: 'disabled', ...disabled });
      // available=true asks about the category: no free disabled bay, no hit.
      expect((await getJson('/v1/facilities?category=disabled&available=true')).items).toEqual([]);
    });

    it('in GeoJSON', async () => {
      const body = await getJson('/v1/facilities?category=disabled', { Accept: 'application/geo+json' });
      const [feature] = body.features as Array<{ properties: Json }>;
      expect(feature?.properties.availability).toMatchObject(disabled);
      expect(feature?.properties.category).toEqual({ name: 'disabled', ...disabled });
    });

    it('in the detail: every category carries its own status', async () => {
      const body = await getJson('/v1/facilities/mall');
      const availability = body.availability as { status: string; byCategory: Record<string, Counts> };
      expect(availability.status).toBe('open');
      expect(availability.byCategory.disabled).toEqual(disabled);
      expect(availability.byCategory.standard).toEqual({ capacity: 8, free: 8, occupied: 0, unknown: 0, closed: 0, status: 'open' });
    });

    it('on signs: ?category= as JSON and as text, with the same ETag; a bad or missing category is refused', async () => {
      expect(await getJson('/v1/facilities/mall/availability?category=disabled')).toEqual({
        id: 'mall',
        category: 'disabled',
        ...disabled,
        updatedAt: expect.any(String),
      });
      expect((await get('/v1/facilities/mall/availability?category=disabled&format=text')).text).toBe('0');
      expect((await get('/v1/facilities/mall/availability?format=text')).text).toBe('8');
      const etag = (await app.hono.request('/v1/facilities/mall/availability')).headers.get('ETag') as string;
      expect(
        (await app.hono.request('/v1/facilities/mall/availability?category=disabled', { headers: { 'If-None-Match': etag } })).status,
      ).toBe(304);
      const bad = await get('/v1/facilities/mall/availability?category=vip');
      expect(bad.status).toBe(400);
      expect(((await bad.json()).error as Json).message).toContain('"category"');
      const none = await get('/v1/facilities/mall/availability?category=camper');
      expect(none.status).toBe(404);
      expect(((await none.json()).error as Json).message).toBe('facility "mall" has no spots of category "camper"');
    });
  });

  describe('2. status claims only what is known, and keeps opening hours', () => {
    it('one uplink among thirty spots: the counts, but status unknown', async () => {
      expect(await getJson('/v1/facilities/thirty/availability')).toMatchObject({
        capacity: 30,
        free: 0,
        occupied: 1,
        unknown: 29,
        closed: 0,
        status: 'unknown',
      });
      expect((await get('/v1/facilities/thirty/availability?format=text')).text).toBe('-');
    });

    it('a facility may accept less known (registry minKnownShare)', async () => {
      expect(await getJson('/v1/facilities/trusting/availability')).toMatchObject({ occupied: 1, unknown: 29, status: 'full' });
      expect(((await getJson('/v1/facilities/trusting')).availability as Json).minKnownShare).toBeCloseTo(0.02, 5);
    });

    it('closed outside its opening hours (Mo-Sa 07:00-22:00 on Sunday 01:00 in Berlin), counts still true, hours given', async () => {
      expect(await getJson('/v1/facilities/allee/availability')).toMatchObject({ free: 3, occupied: 1, status: 'closed' });
      // The bare-number sign has no word for closed: it shows no usable space.
      expect((await get('/v1/facilities/allee/availability?format=text')).text).toBe('0');
      expect((await get('/v1/facilities/allee/availability?format=text&category=standard')).text).toBe('0');
      const body = await getJson('/v1/facilities/allee');
      expect(body.openingHours).toEqual({
        osm: 'Mo-Sa 07:00-22:00',
        timeZone: 'Europe/Berlin',
        openNow: false,
        nextChange: '2026-12-14T06:00:00.000Z',
      });
      expect((body.availability as { byCategory: Record<string, Counts> }).byCategory.standard?.status).toBe('closed');
      // Free spaces behind a closed gate are not "available".
      expect(((await getJson('/v1/facilities?available=true')).items as Json[]).map((i) => i.id)).not.toContain('allee');
      await recount('allee', saturdayNoon);
      expect(await getJson('/v1/facilities/allee/availability')).toMatchObject({ free: 3, status: 'open' });
      expect((await get('/v1/facilities/allee/availability?format=text')).text).toBe('3');
      expect((await getJson('/v1/facilities/allee')).openingHours).toMatchObject({ openNow: true, nextChange: '2026-12-12T21:00:00.000Z' });
    });
  });

  describe('3. closed spots are counted: free + occupied + unknown + closed = capacity everywhere', () => {
    const closing = { capacity: 6, free: 2, occupied: 2, unknown: 0, closed: 2 };

    it('in the list, GeoJSON, detail, byCategory and the sign', async () => {
      const listed = ((await getJson('/v1/facilities')).items as Json[]).find((i) => i.id === 'closing');
      expect(listed?.availability).toMatchObject(closing);
      const geo = (await getJson('/v1/facilities', { Accept: 'application/geo+json' })).features as Array<{ id: string; properties: Json }>;
      expect(geo.find((f) => f.id === 'closing')?.properties.availability).toMatchObject(closing);
      const detail = (await getJson('/v1/facilities/closing')).availability as Counts & { byCategory: Record<string, Counts> };
      expect(detail).toMatchObject(closing);
      expect(detail.byCategory.standard).toMatchObject(closing);
      const sign = (await getJson('/v1/facilities/closing/availability')) as unknown as Counts;
      expect(sign).toMatchObject(closing);
      for (const c of [listed?.availability as Counts, detail, detail.byCategory.standard as Counts, sign])
        expect(sumUp(c)).toBe(c.capacity);
    });

    it('as documented: the real answers hold to the OpenAPI schemas, closed and statuses included', async () => {
      facilityPageSchema.parse(await getJson('/v1/facilities'));
      facilityPageSchema.parse(await getJson('/v1/facilities?category=disabled'));
      facilityDetailSchema.parse(await getJson('/v1/facilities/allee'));
      facilityDetailSchema.parse(await getJson('/v1/facilities/closing'));
      signageSchema.parse(await getJson('/v1/facilities/mall/availability?category=disabled'));
      // And the schema asks for what the answers must carry.
      const withoutClosed = { id: 'x', capacity: 1, free: 1, occupied: 0, unknown: 0, status: 'open', updatedAt: new Date().toISOString() };
      expect(() => signageSchema.parse(withoutClosed)).toThrow();
    });
  });
});
