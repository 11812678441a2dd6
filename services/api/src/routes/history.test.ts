import { createSilentLogger } from '@freiplatz/config';
import { recordFacilityStateSamples } from '@freiplatz/db';
import { buildRegistry, createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
// Monday 2026-06-01 12:00 UTC.
const NOW = new Date('2026-06-01T12:00:00Z');

describe('history and forecast routes', () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  const sample = (at: Date, free: number, version: number) =>
    recordFacilityStateSamples(h.db, [{ facilityId: 'p', version, capacity: 10, free, occupied: 10 - free, unknown: 0 }], at);
  const getJson = async (path: string) => {
    const res = await app.hono.request(path);
    expect(res.status, path).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'p', spots: 10 }));
    app = createApp({ db: h.db, logger: createSilentLogger(), now: () => NOW });
    // Today: two changes in the 10:00 quarter, one at 10:40.
    await sample(new Date('2026-06-01T10:05:00Z'), 8, 100);
    await sample(new Date('2026-06-01T10:10:00Z'), 6, 101);
    await sample(new Date('2026-06-01T10:40:00Z'), 2, 102);
    // Four past Mondays: 3 free at 14:00, 9 free at 12:00.
    for (let k = 1; k <= 4; k++) {
      await sample(new Date(NOW.getTime() - k * WEEK), 9, k * 10);
      await sample(new Date(NOW.getTime() + 2 * HOUR - k * WEEK), 3, k * 10 + 1);
    }
  });
  afterAll(async () => h?.close());

  describe('happy paths', () => {
    it('gives occupancy per quarter from the maintained 15-minute buckets, carrying state into quiet ones', async () => {
      const body = await getJson('/v1/facilities/p/history?from=2026-06-01T10:00:00Z&to=2026-06-01T11:00:00Z&interval=15m');
      expect(body).toMatchObject({ id: 'p', interval: '15m', from: '2026-06-01T10:00:00.000Z', to: '2026-06-01T11:00:00.000Z' });
      expect(
        (body.items as Array<{ start: string; free: unknown; samples: number }>).map((i) => [i.start.slice(11, 16), i.free, i.samples]),
      ).toEqual([
        ['10:00', { avg: 7, min: 6, max: 8 }, 2],
        ['10:15', { avg: 6, min: 6, max: 6 }, 0],
        ['10:30', { avg: 2, min: 2, max: 2 }, 1],
        ['10:45', { avg: 2, min: 2, max: 2 }, 0],
      ]);
    });

    it('rolls up into hours and days, by default over the last day', async () => {
      const hours = await getJson('/v1/facilities/p/history');
      expect(hours).toMatchObject({ interval: '1h', from: '2026-05-31T12:00:00.000Z', to: '2026-06-01T12:00:00.000Z' });
      expect(hours.items).toHaveLength(24);
      const days = await getJson('/v1/facilities/p/history?interval=1d&from=2026-05-25T00:00:00Z&to=2026-05-26T00:00:00Z');
      expect(days.items).toEqual([
        expect.objectContaining({ start: '2026-05-25T00:00:00.000Z', capacity: 10, free: { avg: expect.any(Number), min: 3, max: 9 } }),
      ]);
    });

    it('forecasts from the same weekday and time of recent weeks, with a confidence and the method', async () => {
      const body = await getJson('/v1/facilities/p/forecast?at=2026-06-01T14:00:00Z');
      expect(body).toMatchObject({
        id: 'p',
        at: '2026-06-01T14:00:00.000Z',
        capacity: 10,
        weeksUsed: 4,
        profileFree: 3,
        method: 'weekly-profile-blend',
      });
      expect(body.free).toBeGreaterThanOrEqual(0);
      expect(body.free).toBeLessThanOrEqual(3);
      expect(body.confidence).toBeGreaterThan(0);
    });
  });

  describe('error paths', () => {
    it.each([
      ['history?interval=5m', 'interval'],
      ['history?from=yesterday', 'from'],
      ['history?from=2026-06-01T12:00:00Z&to=2026-06-01T10:00:00Z', 'from'],
      ['history?interval=15m&from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z', 'from'],
      ['forecast', 'at'],
      ['forecast?at=2026-06-20T00:00:00Z', 'at'],
      ['forecast?at=2026-05-01T00:00:00Z', 'at'],
    ])('%s → 400 naming "%s"', async (path, name) => {
      const res = await app.hono.request(`/v1/facilities/p/${path}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(`"${name}"`);
    });

    it('says a missing "at" is missing and what it is for, not zod\'s raw message', async () => {
      const res = await app.hono.request('/v1/facilities/p/forecast');
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          code: 'BAD_REQUEST',
          message: 'missing query parameter "at": the time to forecast for, ISO 8601 (e.g. 2026-06-01T10:00:00Z), at most 7 days ahead',
          requestId: expect.any(String),
        },
      });
    });

    it('answers 404 for an unknown facility', async () => {
      expect((await app.hono.request('/v1/facilities/nope/history')).status).toBe(404);
      expect((await app.hono.request('/v1/facilities/nope/forecast?at=2026-06-01T13:00:00Z')).status).toBe(404);
    });
  });
});
