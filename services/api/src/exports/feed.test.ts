import type { FacilityRecord } from '@freiplatz/db';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../app-env.js';
import type { FacilityCache, FacilityLayout } from '../state/facility-cache.js';
import { FacilityEntry } from '../state/facility-entry.js';
import { createFeed } from './feed.js';
import { toPublication } from './publication.js';

const record = (version: number): FacilityRecord => ({
  id: 'a',
  name: 'A',
  kind: 'car_park',
  location: { lat: 52, lon: 11 },
  address: null,
  openingHours: null,
  almostFullThreshold: 0.1,
  timeZone: 'Europe/Berlin',
  minKnownShare: 0.5,
  tags: [],
  state: {
    capacity: 1,
    free: 1,
    occupied: 0,
    unknown: 0,
    closed: 0,
    status: 'open',
    openNow: null,
    hoursChangeAt: null,
    confidence: 1,
    byCategory: {},
    version,
    updatedAt: new Date(version * 1000),
  },
});

/** A feed over a layout the test replaces, as the cache does on every state change. */
function feedOver(minRenderIntervalMs: number) {
  let layout: FacilityLayout = { generation: 1, slots: [] };
  const setVersion = (v: number) => {
    const entry = new FacilityEntry(record(v));
    layout = { generation: v, slots: [{ id: 'a', lat: 52, lon: 11, entry }] };
  };
  setVersion(1);
  const cache = { currentLayout: () => layout, layout: async () => layout } as unknown as FacilityCache;
  let renders = 0;
  const feed = createFeed({
    cache,
    publication: { get: () => toPublication(undefined) },
    name: 't',
    contentType: 'text/plain',
    cacheControl: 'no-cache',
    minRenderIntervalMs,
    render: (entries) => {
      renders += 1;
      return `version ${entries[0]?.version}`;
    },
  });
  const app = new Hono<AppEnv>().get('/', (c) => feed(c));
  return { setVersion, renders: () => renders, get: async () => (await app.request('/')).text() };
}

describe('feed', () => {
  it('renders once per state, and again when the state moves on', async () => {
    const f = feedOver(0);
    expect(await f.get()).toBe('version 1');
    expect(await f.get()).toBe('version 1');
    expect(f.renders()).toBe(1);
    f.setVersion(2);
    expect(await f.get()).toBe('version 2');
    expect(f.renders()).toBe(2);
  });

  it('renders at most once per interval however often the state changes', async () => {
    const f = feedOver(60_000);
    await f.get();
    for (let v = 2; v < 50; v++) {
      f.setVersion(v);
      expect(await f.get()).toBe('version 1');
    }
    expect(f.renders()).toBe(1);
  });
});
