import type { FacilityRecord } from '@freiplatz/db';
import { describe, expect, it } from 'vitest';
import type { FacilityLayout } from '../state/facility-cache.js';
import { FacilityEntry, type FacilitySlot } from '../state/facility-entry.js';
import { createSearchAnswers } from './search-answer.js';
import { parseSearchQuery } from './search-query.js';

const record = (id: string, lon: number, free: number): FacilityRecord => ({
  id,
  name: id,
  kind: 'car_park',
  location: { lat: 52.1246, lon },
  address: null,
  openingHours: null,
  timeZone: 'Europe/Berlin',
  almostFullThreshold: 0.1,
  minKnownShare: 0.5,
  tags: [],
  state: {
    ...{ capacity: 4, free, occupied: 4 - free, unknown: 0, closed: 0, status: 'open', confidence: 1, byCategory: {} },
    ...{ openNow: null, hoursChangeAt: null, version: free, updatedAt: new Date('2026-05-01T12:00:00.000Z') },
  },
});
const layoutOf = (...records: FacilityRecord[]): FacilityLayout => ({
  generation: 1,
  slots: records.map((r) => ({ id: r.id, lat: r.location.lat, lon: r.location.lon, entry: new FacilityEntry(r) })),
});
const ask = (answers: ReturnType<typeof createSearchAnswers>, layout: FacilityLayout, raw: string) =>
  answers.find(layout, raw, undefined) ??
  answers.build(layout, raw, parseSearchQuery(Object.fromEntries(new URLSearchParams(raw))), undefined);
const freeOf = (body: Uint8Array | null) =>
  (JSON.parse(Buffer.from(body ?? []).toString()) as { items: Array<{ availability: { free: number } }> }).items.map(
    (i) => i.availability.free,
  );

describe('search answers of repeated queries', () => {
  const NEAR = 'near=52.1246,11.6297&limit=2';

  it('gives a repeated query its page again while its facilities and the layout stay as they were', () => {
    const answers = createSearchAnswers();
    const layout = layoutOf(record('a', 11.6297, 1), record('b', 11.6397, 2), record('c', 11.6497, 3));
    const first = ask(answers, layout, NEAR);
    expect(answers.find(layout, NEAR, undefined)).toBe(first);
    // Another facility's change does not touch the page; the same query in GeoJSON is a page of its own.
    (layout.slots[2] as FacilitySlot).entry = new FacilityEntry(record('c', 11.6497, 0));
    expect(answers.find(layout, NEAR, undefined)).toBe(first);
    expect(answers.find(layout, NEAR, 'application/geo+json')).toBeUndefined();
  });

  it('builds the page afresh once a facility on it changed, or the layout did', () => {
    const answers = createSearchAnswers();
    const layout = layoutOf(record('a', 11.6297, 1), record('b', 11.6397, 2));
    expect(freeOf(ask(answers, layout, NEAR).body)).toEqual([1, 2]);
    (layout.slots[1] as FacilitySlot).entry = new FacilityEntry(record('b', 11.6397, 0));
    expect(answers.find(layout, NEAR, undefined)).toBeUndefined();
    expect(freeOf(ask(answers, layout, NEAR).body)).toEqual([1, 0]);
    const moved = layoutOf(record('a', 11.6297, 1), record('x', 11.6298, 4), record('b', 11.6397, 0));
    expect(answers.find(moved, NEAR, undefined)).toBeUndefined();
    expect(freeOf(ask(answers, moved, NEAR).body)).toEqual([1, 4]);
  });

  it('never keeps a page filtered by state: a change anywhere may let a facility in', () => {
    const answers = createSearchAnswers();
    const layout = layoutOf(record('a', 11.6297, 0), record('b', 11.6397, 2));
    for (const raw of [`${NEAR}&available=true`, `${NEAR}&kind=car_park`, 'bbox=11,52,12,53']) {
      ask(answers, layout, raw);
      expect(answers.find(layout, raw, undefined), raw).toBeUndefined();
    }
  });

  it('bounds what it keeps by the query strings too: unknown parameters make every key new', () => {
    const answers = createSearchAnswers();
    const layout = layoutOf(record('a', 11.6297, 1));
    // Small pages under 8 KB query strings: 8 MiB holds a few hundred, so the first is let go.
    const raws = Array.from({ length: 800 }, (_, n) => `near=52.1246,11.6297&limit=1&_=${String(n).padStart(8000, '0')}`);
    for (const raw of raws) ask(answers, layout, raw);
    expect(answers.find(layout, raws[0] as string, undefined)).toBeUndefined();
    expect(answers.find(layout, raws.at(-1) as string, undefined)).toBeDefined();
  });
});
