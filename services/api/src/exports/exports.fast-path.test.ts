import { createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataRegistry } from '../../../../test/support/open-data-registry.js';
import { headersOf, type Served, serveBoth } from '../../../../test/support/serve-both.js';

describe('open-data exports over a real server: raw node:http path vs Hono path', () => {
  let h: Harness;
  let s: Served;
  const both = async (path: string, headers: Record<string, string> = {}) => {
    const before = s.honoCalls();
    const fast = await fetch(`${s.fast.url}${path}`, { headers });
    const viaHono = s.honoCalls() > before;
    const hono = await fetch(`${s.honoUrl}${path}`, { headers });
    return { fast, hono, viaHono, fastBody: Buffer.from(await fast.arrayBuffer()), honoBody: Buffer.from(await hono.arrayBuffer()) };
  };

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(openDataRegistry());
    s = await serveBoth(h);
  });
  afterAll(async () => {
    await s?.close();
    await h?.close();
  });

  const paths = [
    '/v1/exports/datex2/parking-table',
    '/v1/exports/datex2/parking-status',
    '/v1/exports/parkapi/v3/parking-sites',
    '/v1/exports/parkapi/v3/parking-spots',
    '/ngsi-ld/v1/entities?type=OffStreetParking,OnStreetParking&options=keyValues',
    '/ngsi-ld/v1/entities?type=ParkingSpot',
  ];
  for (const path of paths) {
    it(`answers ${path} without Hono once rendered, with the same status, headers and body (plain, gzip, 304)`, async () => {
      await fetch(`${s.honoUrl}${path}`); // the first request renders, through Hono
      const plain = await both(path, { 'X-Request-Id': 'same-id' });
      expect(plain.viaHono).toBe(false);
      expect(plain.fast.status).toBe(200);
      expect(headersOf(plain.fast)).toEqual(headersOf(plain.hono));
      expect(plain.fastBody.equals(plain.honoBody)).toBe(true);

      const gzip = await both(path, { 'X-Request-Id': 'same-id', 'Accept-Encoding': 'gzip' });
      expect(gzip.viaHono).toBe(false);
      expect(headersOf(gzip.fast)).toEqual(headersOf(gzip.hono));
      expect(gzip.fast.headers.get('Content-Encoding')).toBe('gzip');

      const etag = plain.fast.headers.get('ETag') as string;
      for (const conditional of [{ 'If-None-Match': etag }, { 'If-Modified-Since': plain.fast.headers.get('Last-Modified') as string }]) {
        const r = await both(path, { ...conditional, 'X-Request-Id': 'same-id' });
        expect(r.fast.status).toBe(304);
        expect(r.viaHono).toBe(false);
        expect(headersOf(r.fast)).toEqual(headersOf(r.hono));
      }
    });
  }

  it('leaves bad queries, other methods and unknown paths to Hono', async () => {
    for (const path of ['/ngsi-ld/v1/entities?type=Bogus', '/ngsi-ld/v1/entities', '/v1/exports/datex2/parking-status?x=1']) {
      const r = await both(path);
      expect(r.viaHono, path).toBe(true);
      expect(r.fast.status).toBe(r.hono.status);
    }
    const before = s.honoCalls();
    await fetch(`${s.fast.url}/v1/exports/datex2/parking-status`, { method: 'HEAD' });
    expect(s.honoCalls()).toBe(before + 1);
  });
});
