import { createSilentLogger } from '@freiplatz/config';
import { findFacility, listSensorHealth, refreshAllFacilityStates } from '@freiplatz/db';
import { parseRegistry, type Registry } from '@freiplatz/domain';
import type { IngestWorker } from '@freiplatz/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../services/api/src/app.js';
import { createOperatorKey } from '../../services/api/src/cli/operator-keys.js';
import { opsSourcesSchema } from '../../services/api/src/openapi/ops-sources.js';
import { toSensorView } from '../../services/api/src/routes/ops/sensor-view.js';
import { createHarness, type Harness } from '../harness.js';
import { validateDatex2 } from '../support/datex2-schema.js';
import { type FeedMode, fixtureFeeds, startFeedServer } from '../support/feed-server.js';

const STALE_AFTER_S = 60;

function connectorRegistry(url: (path: string) => string): Registry {
  const counted = (id: string, capacity: number) => ({
    id,
    name: `Parkhaus ${id}`,
    kind: 'car_park',
    location: { lat: 52.1, lon: 11.6 },
    capacity,
  });
  const source = (id: string, path: string, format: string, idMap: Record<string, string>) => ({
    id,
    url: url(path),
    format,
    // Polled by the test (pollAll), and once at start.
    pollIntervalSeconds: 3600,
    staleAfterSeconds: STALE_AFTER_S,
    idMap,
  });
  const parsed = parseRegistry({
    version: 1,
    facilities: [counted('messe', 412), counted('zentrum', 380), counted('nord', 120), counted('sued', 250)],
    sources: [
      {
        ...source('vr-v3', '/datex2-v3', 'datex2-v3-status', { 'PH-MESSE': 'messe', 'PH-ZENTRUM': 'zentrum' }),
        authHeader: { name: 'X-Api-Key', valueEnv: 'VR_TOKEN' },
      },
      source('vr-v2', '/datex2-v2', 'datex2-v2-status', { 'P+R-NORD': 'nord' }),
      source('parkapi', '/parkapi', 'parkapi-v3', { 'pr-sued': 'sued' }),
    ],
  });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.registry;
}

describe('sources: guidance systems polled into the commit path', () => {
  let h: Harness;
  let server: Awaited<ReturnType<typeof startFeedServer>>;
  let worker: IngestWorker;
  const state = async (id: string) => (await findFacility(h.db, id))?.state;
  const poll = () => (worker.sources as NonNullable<IngestWorker['sources']>).pollAll();
  // On a loaded machine one answer can miss the request timeout: poll again until the reading is in.
  const pollUntilFree = (free: Record<string, number>) =>
    expect
      .poll(
        async () => {
          await poll();
          return Object.fromEntries(await Promise.all(Object.keys(free).map(async (id) => [id, (await state(id))?.free])));
        },
        { timeout: 20_000, interval: 50 },
      )
      .toEqual(free);
  const serve = (mode: FeedMode, vacant = server.state.vacant) => {
    server.state.mode = mode;
    server.state.vacant = vacant;
    server.state.now = new Date();
  };

  beforeAll(async () => {
    h = await createHarness();
    server = await startFeedServer(fixtureFeeds);
    serve('ok', 100);
    await h.importRegistry(connectorRegistry(server.url));
    worker = await h.startIngest({ sources: { env: { VR_TOKEN: 's3cret' }, requestTimeoutMs: 1000 } });
  });
  afterAll(async () => {
    await h?.close();
    await server?.close();
  });

  it('serves realistic feeds: the DATEX II v3 one is valid against the v3.6 schema', async () => {
    const v3 = fixtureFeeds.find((f) => f.path === '/datex2-v3');
    expect(await validateDatex2(v3?.render(new Date(), 100) ?? '')).toEqual([]);
  });

  it('brings DATEX II v3, v2.3 and ParkAPI v3 counts into facility state, with the auth header', async () => {
    await pollUntilFree({ messe: 100, zentrum: 0, nord: 100, sued: 100 });
    expect(await state('messe')).toMatchObject({ capacity: 412, free: 100, occupied: 312, unknown: 0, status: 'open' });
    expect(await state('zentrum')).toMatchObject({ free: 0, occupied: 380, status: 'full' });
    expect(await state('nord')).toMatchObject({ capacity: 120, free: 100, occupied: 20 });
    expect(await state('sued')).toMatchObject({ capacity: 250, free: 100, occupied: 150 });
    expect(server.requests.find((r) => r.path === '/datex2-v3')?.headers['x-api-key']).toBe('s3cret');
  });

  it('sends the ETag back, and a 304 changes nothing', async () => {
    const before = await state('messe');
    const answered304 = server.requests.filter((r) => r.status === 304).length;
    await poll();
    expect(server.requests.filter((r) => r.status === 304).length).toBe(answered304 + 3);
    expect(server.requests.at(-1)?.headers['if-none-match']).toMatch(/^"[0-9a-f]{40}"$/);
    expect(await state('messe')).toEqual(before);
  });

  for (const failure of ['500', 'timeout', 'malformed'] as const) {
    it(`keeps the last counts through a ${failure} until they are stale, then shows them unknown (source_stale)`, async () => {
      serve('ok', 70);
      await pollUntilFree({ messe: 70, nord: 70, sued: 70 });
      serve(failure);
      await poll();
      expect(await state('messe')).toMatchObject({ free: 70, status: 'open' });
      const [record] = await h.db
        .selectFrom('data_sources' as never)
        .select(['last_error' as never])
        .where('id' as never, '=', 'vr-v3' as never)
        .execute();
      expect((record as { last_error: string | null }).last_error).toBeTruthy();

      const later = new Date(Date.now() + (STALE_AFTER_S + 5) * 1000);
      await refreshAllFacilityStates(h.db, later);
      for (const id of ['messe', 'nord', 'sued']) {
        expect(await state(id), id).toMatchObject({ free: 0, occupied: 0, status: 'unknown' });
      }
      const sensors = await listSensorHealth(h.db, later, { facilityIds: ['messe'] });
      expect(toSensorView(sensors[0] as (typeof sensors)[0], new Map(), later).health).toEqual(['source_stale']);
    });
  }

  it('shows operators each source, its last poll and whether it is stale (GET /v1/ops/sources)', async () => {
    const key = await createOperatorKey(h.db, { name: 'reader', scopes: ['ops:read'], facilityIds: [] });
    if (!key.ok) throw new Error(key.message);
    let at = new Date();
    const app = createApp({ db: h.db, logger: createSilentLogger(), now: () => at });
    const sources = async () => {
      const res = await app.hono.request('/v1/ops/sources', { headers: { Authorization: `Bearer ${key.token}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: Array<{ id: string }> };
      expect(opsSourcesSchema.parse(body)).toEqual(body);
      return Object.fromEntries(body.items.map((s: { id: string }) => [s.id, s])) as Record<string, Record<string, unknown>>;
    };
    serve('malformed');
    await poll();
    const now = await sources();
    expect(now['vr-v3']).toMatchObject({ format: 'datex2-v3-status', facilityIds: ['messe', 'zentrum'], stale: false, lastStatus: 200 });
    expect(now['vr-v3']?.lastError).toMatch(/^MALFORMED/);
    at = new Date(Date.now() + (STALE_AFTER_S + 5) * 1000);
    expect((await sources())['vr-v3']).toMatchObject({ stale: true });
  });
});
