import { gunzipSync } from 'node:zlib';
import { createSilentLogger } from '@freiplatz/config';
import { commitIngestBatch, notifyFacilityChanges, refreshFacilityState, toIngestBatch } from '@freiplatz/db';
import type { CounterEvent } from '@freiplatz/domain';
import { createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDatex2 } from '../../../../test/support/datex2-schema.js';
import { openDataRegistry } from '../../../../test/support/open-data-registry.js';
import { validateFiwareEntity, validateParkApi } from '../../../../test/support/open-data-schemas.js';
import { createApp } from '../app.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked against their schemas.
type Json = any;

const bay = (sensorId: string, occupied: boolean, ts: Date) => ({
  kind: 'bay' as const,
  sensorId,
  ts,
  seq: null,
  receivedAt: ts,
  battery: null,
  rssi: null,
  flags: [],
  occupied,
  heartbeat: false,
});
const counter = (sensorId: string, vehicles: number, ts: Date): CounterEvent => ({
  kind: 'counter',
  sensorId,
  ts,
  seq: null,
  receivedAt: ts,
  battery: null,
  rssi: null,
  flags: [],
  vehicles,
  entered: null,
  exited: null,
});

describe('open-data exports', () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  const get = (path: string, headers: Record<string, string> = {}) => app.hono.request(path, { headers });

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(openDataRegistry());
    const now = new Date();
    // Half of "every" heard (alternately free and occupied), "street" heard, the gates count 280 cars.
    await commitIngestBatch(
      h.db,
      toIngestBatch([
        ...Array.from({ length: 8 }, (_, i) => bay(`every-${i + 1}-s`, i % 2 === 0, now)),
        bay('street-1-s', false, now),
        bay('street-2-s', true, now),
        counter('gates-in', 280, now),
      ]),
    );
    await h.db.updateTable('spots').set({ closed: true }).where('facility_id', '=', 'shut').execute();
    await h.db.transaction().execute(async (trx) => notifyFacilityChanges(trx, await refreshFacilityState(trx, ['shut'], now)));
    app = createApp({ db: h.db, logger: createSilentLogger(), databaseUrl: h.databaseUrl });
  });
  afterAll(async () => {
    await app.close();
    await h?.close();
  });

  it('serves a DATEX II parking table and status valid against the v3.6 schema, with the licence', async () => {
    for (const path of ['/v1/exports/datex2/parking-table', '/v1/exports/datex2/parking-status']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('Content-Type')).toBe('application/xml; charset=UTF-8');
      expect(res.headers.get('Link')).toBe('<https://www.govdata.de/dl-de/by-2-0>; rel="license"');
      const xml = await res.text();
      expect(await validateDatex2(xml), path).toEqual([]);
      expect(xml).toContain('<com:nationalIdentifier>Landeshauptstadt Magdeburg</com:nationalIdentifier>');
      expect(xml).toContain('Datenlizenz Deutschland – Namensnennung – Version 2.0');
    }
    const status = await (await get('/v1/exports/datex2/parking-status')).text();
    expect(status).toContain('<prk:numberOfVacantSpaces>120</prk:numberOfVacantSpaces>');
    expect(status).toMatch(/id="shut" version="1"\/><fac:lastUpdated>[^<]+<\/fac:lastUpdated><fac:openingStatus>closed</);
  });

  it('answers 304 to the ETag and to If-Modified-Since, and a new ETag once a count moves', async () => {
    const path = '/v1/exports/datex2/parking-status';
    const first = await get(path);
    const etag = first.headers.get('ETag') as string;
    const lastModified = first.headers.get('Last-Modified') as string;
    expect(etag).toMatch(/^"d2s-[\w-]+"$/);
    expect((await get(path, { 'If-None-Match': etag })).status).toBe(304);
    expect((await get(path, { 'If-Modified-Since': lastModified })).status).toBe(304);
    await commitIngestBatch(h.db, toIngestBatch([counter('gates-in', 281, new Date())]));
    await expect.poll(async () => (await get(path, { 'If-None-Match': etag })).status, { timeout: 5000 }).toBe(200);
    expect(await (await get(path)).text()).toContain('<prk:numberOfVacantSpaces>119</prk:numberOfVacantSpaces>');
  });

  it('sends gzip to clients that accept it', async () => {
    const plain = await (await get('/v1/exports/datex2/parking-table')).text();
    const res = await get('/v1/exports/datex2/parking-table', { 'Accept-Encoding': 'gzip, deflate' });
    expect(res.headers.get('Content-Encoding')).toBe('gzip');
    expect(res.headers.get('Vary')).toBe('Accept-Encoding');
    expect(gunzipSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(plain);
  });

  it('serves ParkAPI v3 parking sites and spots that hold to the ParkAPI field list, unknown never free', async () => {
    const sites = (await (await get('/v1/exports/parkapi/v3/parking-sites')).json()) as Json;
    expect(validateParkApi('sitesList', sites)).toEqual([]);
    expect(sites.attribution).toBe(
      'Landeshauptstadt Magdeburg, Datenlizenz Deutschland – Namensnennung – Version 2.0 (https://www.govdata.de/dl-de/by-2-0)',
    );
    const byUid = Object.fromEntries(sites.items.map((s: { uid: string }) => [s.uid, s]));
    expect(byUid.silent).not.toHaveProperty('realtime_free_capacity');
    expect(byUid.silent.realtime_opening_status).toBe('UNKNOWN');
    expect(byUid.shut.realtime_opening_status).toBe('CLOSED');
    expect(byUid.every.restrictions.map((r: { type: string }) => r.type).sort()).toEqual([
      'BUS',
      'CARAVAN',
      'CHARGING',
      'DISABLED',
      'FAMILY',
      'TRUCK',
    ]);
    // 16 spots, 8 heard (4 free): 4 free, the 8 unknown are not.
    expect(byUid.every.realtime_free_capacity).toBe(4);
    const spots = (await (await get('/v1/exports/parkapi/v3/parking-spots')).json()) as Json;
    expect(validateParkApi('spotsList', spots)).toEqual([]);
    const statuses = spots.items
      .filter((s: { parking_site_uid: string }) => s.parking_site_uid === 'every')
      .map((s: { realtime_status: string }) => s.realtime_status);
    expect(statuses.filter((s: string) => s === 'AVAILABLE')).toHaveLength(4);
    expect(statuses.filter((s: string) => s === 'UNKNOWN')).toHaveLength(8);
  });

  it('serves NGSI-LD entities valid against the FIWARE parking models, key-values and normalized, with the @context link', async () => {
    const res = await get('/ngsi-ld/v1/entities?type=OffStreetParking,OnStreetParking,ParkingSpot&options=keyValues');
    expect(res.status).toBe(200);
    expect(res.headers.get('Link')).toContain('rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"');
    const entities = (await res.json()) as Array<{ type: string; id: string }>;
    expect(new Set(entities.map((e) => e.type))).toEqual(new Set(['OffStreetParking', 'OnStreetParking', 'ParkingSpot']));
    for (const e of entities) expect(validateFiwareEntity(e), e.id).toEqual([]);
    const silent = entities.find((e) => e.id === 'urn:ngsi-ld:OffStreetParking:silent');
    expect(silent).not.toHaveProperty('availableSpotNumber');
    expect(silent).toMatchObject({ totalSpotNumber: 3 });

    const normalized = (await (await get('/ngsi-ld/v1/entities?type=OffStreetParking')).json()) as Json;
    const gates = normalized.find((e: { id: string }) => e.id === 'urn:ngsi-ld:OffStreetParking:gates');
    expect(gates.availableSpotNumber).toEqual({ type: 'Property', value: expect.any(Number) });
    expect(gates.location.type).toBe('GeoProperty');

    const ld = await get('/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:every-1?options=keyValues', { Accept: 'application/ld+json' });
    expect(ld.headers.get('Content-Type')).toBe('application/ld+json');
    const spot = (await ld.json()) as Json;
    expect(spot['@context']).toEqual(expect.arrayContaining([expect.stringContaining('ngsi-ld')]));
    const { '@context': _context, ...keyValues } = spot;
    expect(validateFiwareEntity(keyValues)).toEqual([]);
    expect(spot).toMatchObject({ status: 'occupied', refParkingSite: 'urn:ngsi-ld:OffStreetParking:every' });
  });

  it('refuses bad NGSI-LD queries in the one error shape', async () => {
    for (const path of [
      '/ngsi-ld/v1/entities',
      '/ngsi-ld/v1/entities?type=Bogus',
      '/ngsi-ld/v1/entities?type=ParkingSpot&options=raw',
      '/ngsi-ld/v1/entities/nope',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as Json).error).toMatchObject({ code: 'BAD_REQUEST', requestId: expect.any(String) });
    }
    expect((await get('/ngsi-ld/v1/entities/urn:ngsi-ld:OnStreetParking:every')).status).toBe(404);
  });
});
