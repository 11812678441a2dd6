import type { FacilityRecord } from '@freiplatz/db';
import { describe, expect, it } from 'vitest';
import { FacilityEntry, type FacilitySlot } from '../state/facility-entry.js';
import { renderSearchJson, renderSearchJsonBytes } from './render-search.js';
import type { SearchResult } from './search-facilities.js';
import { parseSearchQuery, parseSearchQueryWithSchema, type SearchQuery } from './search-query.js';

const record = (id: string, name: string, lat: number, lon: number): FacilityRecord => ({
  id,
  name,
  kind: 'rv_site',
  location: { lat, lon },
  address: null,
  openingHours: null,
  timeZone: 'Europe/Berlin',
  almostFullThreshold: 0.1,
  minKnownShare: 0.5,
  tags: [],
  state: {
    capacity: 4,
    free: 1,
    occupied: 2,
    unknown: 1,
    status: 'almost_full',
    confidence: 0.75,
    closed: 0,
    byCategory: { camper: { capacity: 2, free: 1, occupied: 1, unknown: 0, closed: 0, status: 'open' } },
    openNow: null,
    hoursChangeAt: null,
    version: 7,
    updatedAt: new Date('2026-05-01T12:00:00.000Z'),
  },
});

const slot = (r: FacilityRecord): FacilitySlot => ({ id: r.id, lat: r.location.lat, lon: r.location.lon, entry: new FacilityEntry(r) });

describe('renderSearchJsonBytes', () => {
  const slots = [
    slot(record('dom', 'Domplatz', 52.1246, 11.6297)),
    slot(record('elbe', 'Elbufer Süd – Wohnmobile „Zentrum“', 52.1246, 11.6397)),
    slot(record('ost', 'Ost 😀', 52.1246, 11.6497)),
  ];
  const query = (over: Partial<SearchQuery>): SearchQuery => ({
    near: null,
    bbox: null,
    kinds: null,
    category: null,
    available: false,
    limit: 50,
    cursor: null,
    ...over,
  });
  const near = { lat: 52.1246, lon: 11.6297, radius: 5000 };
  const results: Array<[string, SearchResult, SearchQuery]> = [
    ['no hits', { hits: [], next: null }, query({ near })],
    ['by id', { hits: slots.map((s) => ({ slot: s, distance: 0 })), next: null }, query({})],
    ['by id, next page', { hits: [{ slot: slots[0] as FacilitySlot, distance: 0 }], next: { by: 'id', id: 'dom' } }, query({ limit: 1 })],
    [
      'near, distances of every length, next page',
      {
        hits: [0, 0.5, 9.49, 680.4, 1390.5, 49_999.7].map((distance, i) => ({ slot: slots[i % 3] as FacilitySlot, distance })),
        next: { by: 'distance', distance: 49_999.7, id: 'ost' },
      },
      query({ near, limit: 6 }),
    ],
    ['category', { hits: slots.map((s) => ({ slot: s, distance: 0 })), next: null }, query({ category: 'camper' })],
    ['category without spots of it', { hits: slots.map((s) => ({ slot: s, distance: 0 })), next: null }, query({ category: 'disabled' })],
    [
      'near and category',
      { hits: slots.map((s, i) => ({ slot: s, distance: i * 700.25 })), next: { by: 'distance', distance: 1400.5, id: 'ost' } },
      query({ near, category: 'camper', limit: 3 }),
    ],
  ];
  it.each(results)('writes the bytes of the text (%s)', (_name, result, q) => {
    const text = renderSearchJson(result, q);
    const bytes = renderSearchJsonBytes(result, q);
    expect(bytes.toString('utf8')).toBe(text);
    expect(bytes.length).toBe(Buffer.byteLength(text));
    expect(JSON.parse(text)).toBeTypeOf('object');
  });

  it('never hands out the same bytes twice (bodies stay intact while earlier ones are still being sent)', () => {
    const [, result, q] = results[3] as [string, SearchResult, SearchQuery];
    const bodies = Array.from({ length: 200 }, () => renderSearchJsonBytes(result, q));
    const text = renderSearchJson(result, q);
    for (const body of bodies) body.fill(0x20, 0, 1);
    expect(bodies.every((body) => body.toString('utf8') === ` ${text.slice(1)}`)).toBe(true);
  });
});

describe('parseSearchQuery', () => {
  const queries: Array<Record<string, string>> = [
    { near: '52.1246,11.6297' },
    { near: '52.1246,11.6297', radius: '3000', limit: '50' },
    { near: '-33.9,151.2', radius: '50000', limit: '200' },
    { near: '90,180', radius: '1', limit: '1' },
    { near: '-0.000000000001,-179.999999999999' },
    { near: '52,11', limit: '7' },
    // Left to the schema: each is valid or refused there.
    { near: '52.1246,11.6297', radius: '50001' },
    { near: '52.1246,11.6297', radius: '0' },
    { near: '52.1246,11.6297', radius: '0300' },
    { near: '52.1246,11.6297', radius: '3e3' },
    { near: '52.1246,11.6297', radius: '' },
    { near: '52.1246,11.6297', radius: '12.5' },
    { near: '52.1246,11.6297', limit: '201' },
    { near: '52.1246,11.6297', limit: '1000000' },
    { near: '52.1246,11.6297', limit: '-1' },
    { near: '91,11' },
    { near: '52,181' },
    { near: '52.1246, 11.6297' },
    { near: '52.1246,11.6297,1' },
    { near: '.5,11' },
    { near: '52.1246,11.6297', category: 'camper' },
    { near: '52.1246,11.6297', kind: 'rv_site' },
    { near: '52.1246,11.6297', foo: 'bar' },
    { radius: '3000' },
    { limit: '5' },
    {},
  ];
  const outcome = (parse: (q: Record<string, string>) => SearchQuery, q: Record<string, string>) => {
    try {
      return { ok: parse(q) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
  it.each(queries.map((q) => [JSON.stringify(q), q] as const))('reads %s as the schema does', (_name, q) => {
    expect(outcome(parseSearchQuery, q)).toEqual(outcome(parseSearchQueryWithSchema, q));
  });
});
