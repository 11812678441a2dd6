import type { FacilityRecord } from '@freiplatz/db';
import { describe, expect, it } from 'vitest';
import { toCategoryView, toFacilitySummaryView } from '../facility-view.js';
import { FacilityEntry, type FacilitySlot } from '../state/facility-entry.js';
import { renderSearchJson } from './render-search.js';
import type { SearchResult } from './search-facilities.js';
import { encodeCursor, parseSearchQuery, type SearchQuery } from './search-query.js';

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

describe('renderSearchJson', () => {
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
  /** The page as the API documents it: each item the facility's summary, after its rounded distance and category view. */
  const expected = ({ hits, next }: SearchResult, q: SearchQuery) =>
    JSON.stringify({
      items: hits.map(({ slot: { entry }, distance }) => ({
        ...(q.near ? { distance: Math.round(distance) } : {}),
        ...(q.category ? { category: toCategoryView(entry.record.state, q.category) } : {}),
        ...toFacilitySummaryView(entry.record, q.category),
      })),
      nextCursor: next ? encodeCursor(next) : null,
    });

  it.each(results)('writes the page as UTF-8 JSON, byte for byte (%s)', (_name, result, q) => {
    const bytes = renderSearchJson(result, q);
    const text = expected(result, q);
    expect(bytes.toString('utf8')).toBe(text);
    expect(bytes.length).toBe(Buffer.byteLength(text));
  });

  it('never hands out the same bytes twice (bodies stay intact while earlier ones are still being sent)', () => {
    const [, result, q] = results[3] as [string, SearchResult, SearchQuery];
    const bodies = Array.from({ length: 200 }, () => renderSearchJson(result, q));
    const text = expected(result, q);
    for (const body of bodies) body.fill(0x20, 0, 1);
    expect(bodies.every((body) => body.toString('utf8') === ` ${text.slice(1)}`)).toBe(true);
  });
});

describe('parseSearchQuery', () => {
  const near = (lat: number, lon: number, radius = 5000) => ({ lat, lon, radius });
  it.each([
    [{ near: '52.1246,11.6297' }, { near: near(52.1246, 11.6297), limit: 50 }],
    [
      { near: '52.1246,11.6297', radius: '3000', limit: '50' },
      { near: near(52.1246, 11.6297, 3000), limit: 50 },
    ],
    [{ near: '-0.000000000001,-179.999999999999' }, { near: near(-0.000000000001, -179.999999999999), limit: 50 }],
    [
      { near: '90,180', radius: '1', limit: '1' },
      { near: near(90, 180, 1), limit: 1 },
    ],
    [{ limit: '5' }, { near: null, limit: 5 }],
    [{}, { near: null, limit: 50 }],
  ] as const)('reads %j', (query, want) => {
    expect(parseSearchQuery(query)).toEqual({ bbox: null, kinds: null, category: null, available: false, cursor: null, ...want });
  });

  it.each([
    [{ near: '52.1246,11.6297', radius: '50001' }, 'radius'],
    [{ near: '52.1246,11.6297', radius: '12.5' }, 'radius'],
    [{ near: '52.1246,11.6297', limit: '201' }, 'limit'],
    [{ near: '91,11' }, 'near'],
    [{ near: '52.1246, 11.6297' }, 'near'],
    [{ near: '.5,11' }, 'near'],
    [{ radius: '3000' }, 'radius'],
  ] as const)('refuses %j, naming "%s"', (query, name) => {
    expect(() => parseSearchQuery(query)).toThrow(`invalid query parameter "${name}"`);
  });
});
