import { createSilentLogger } from '@freiplatz/config';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../../../../test/harness.js';
import { createApp } from '../app.js';

type Page = {
  items: Array<{ id: string; distance?: number; category?: Record<string, unknown>; availability: { free: number } }>;
  nextCursor: string | null;
};

describe('GET /v1/facilities (search)', () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  const get = async (query: string, headers: Record<string, string> = {}) => app.hono.request(`/v1/facilities${query}`, { headers });
  const page = async (query: string) => {
    const res = await get(query);
    expect(res.status, query).toBe(200);
    return (await res.json()) as Page;
  };

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(
      buildRegistry(
        // Along a line east of the Dom (52.1246, 11.6297): about 0 m, 680 m, 1.4 km, 2.7 km, 6.8 km.
        { id: 'dom', location: { lat: 52.1246, lon: 11.6297 }, spots: ['standard', 'disabled'] },
        { id: 'elbe', kind: 'rv_site', location: { lat: 52.1246, lon: 11.6397 }, spots: ['camper', 'camper', 'camper'] },
        { id: 'ost', kind: 'on_street', location: { lat: 52.1246, lon: 11.6497 }, spots: 2 },
        { id: 'pr-east', kind: 'park_and_ride', location: { lat: 52.1246, lon: 11.6697 }, spots: ['standard', 'camper'] },
        { id: 'far', location: { lat: 52.1246, lon: 11.7297 }, spots: 1 },
      ),
    );
    app = createApp({ db: h.db, logger: createSilentLogger(), databaseUrl: h.databaseUrl });
    await h.startIngest();
    const ts = Date.now();
    await h.publish('parking/v1/bays/elbe-2-s', { occupied: false, ts, seq: 1 });
    await h.publish('parking/v1/bays/pr-east-1-s', { occupied: false, ts, seq: 1 });
    await h.publish('parking/v1/bays/pr-east-2-s', { occupied: true, ts, seq: 1 });
    await vi.waitFor(async () => expect((await page('?available=true')).items.map((i) => i.id)).toEqual(['elbe', 'pr-east']), {
      timeout: 10_000,
    });
  });
  afterAll(async () => {
    await app.close();
    await h?.close();
  });

  describe('happy paths', () => {
    it('sorts by distance from near, within the radius, and says how far', async () => {
      const body = await page('?near=52.1246,11.6297&radius=3000');
      expect(body.items.map((i) => [i.id, i.distance])).toEqual([
        ['dom', 0],
        ['elbe', 683],
        ['ost', 1365],
        ['pr-east', 2731],
      ]);
      expect(body.nextCursor).toBeNull();
    });

    it('filters by bbox and by kind', async () => {
      expect((await page('?bbox=11.63,52.12,11.66,52.13')).items.map((i) => i.id)).toEqual(['elbe', 'ost']);
      expect((await page('?kind=rv_site,park_and_ride')).items.map((i) => i.id)).toEqual(['elbe', 'pr-east']);
    });

    it('filters by category and gives that category’s counts; available=true counts that category', async () => {
      const campers = await page('?category=camper');
      expect(campers.items.map((i) => [i.id, i.category])).toEqual([
        ['elbe', { name: 'camper', capacity: 3, free: 1, occupied: 0, unknown: 2, closed: 0, status: 'unknown' }],
        ['pr-east', { name: 'camper', capacity: 1, free: 0, occupied: 1, unknown: 0, closed: 0, status: 'full' }],
      ]);
      expect((await page('?category=camper&available=true')).items.map((i) => i.id)).toEqual(['elbe']);
    });

    it('pages with a cursor and a capped limit, nothing twice, nothing left out', async () => {
      for (const base of ['?limit=2', '?near=52.1246,11.6297&radius=50000&limit=2']) {
        const seen: string[] = [];
        let query = base;
        for (let i = 0; i < 5; i++) {
          const body = await page(query);
          seen.push(...body.items.map((f) => f.id));
          if (!body.nextCursor) break;
          query = `${base}&cursor=${body.nextCursor}`;
        }
        expect(seen, base).toHaveLength(5);
        expect(new Set(seen).size, base).toBe(5);
      }
    });

    it('gives a repeated query the new state of a facility on its page', async () => {
      const query = '?near=52.1246,11.6297&radius=1500';
      const ost = async () => (await page(query)).items.find((i) => i.id === 'ost')?.availability.free;
      expect(await ost()).toBe(0);
      expect(await ost()).toBe(0);
      await h.publish('parking/v1/bays/ost-1-s', { occupied: false, ts: Date.now(), seq: 1 });
      await vi.waitFor(async () => expect(await ost()).toBe(1), { timeout: 10_000 });
    });

    it('answers GeoJSON when asked with Accept: application/geo+json', async () => {
      const res = await get('?near=52.1246,11.6297&radius=800', { Accept: 'application/geo+json' });
      expect(res.headers.get('Content-Type')).toBe('application/geo+json');
      expect(res.headers.get('Vary')).toContain('Accept');
      expect(await res.json()).toEqual({
        type: 'FeatureCollection',
        features: [
          expect.objectContaining({ type: 'Feature', id: 'dom', geometry: { type: 'Point', coordinates: [11.6297, 52.1246] } }),
          expect.objectContaining({
            id: 'elbe',
            properties: expect.objectContaining({ distance: 683, kind: 'rv_site', name: 'Facility elbe' }),
          }),
        ],
        nextCursor: null,
      });
    });
  });

  describe('error paths', () => {
    it.each([
      ['?near=52.1', 'near'],
      ['?near=95,11', 'near'],
      ['?near=52,11&radius=50001', 'radius'],
      ['?radius=100', 'radius'],
      ['?bbox=1,2,3', 'bbox'],
      ['?bbox=12,52,11,53', 'bbox'],
      ['?kind=garage', 'kind'],
      ['?category=boat', 'category'],
      ['?available=yes', 'available'],
      ['?limit=201', 'limit'],
      ['?limit=0', 'limit'],
      ['?cursor=notacursor', 'cursor'],
      ['?near=52,11&cursor=WyJkb20iXQ', 'cursor'],
    ])('%s → 400 naming "%s"', async (query, name) => {
      const res = await get(query);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('BAD_REQUEST');
      expect(body.error.message).toContain(`"${name}"`);
    });
  });
});
