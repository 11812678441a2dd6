import { describe, expect, it } from 'vitest';
import type { FacilityStateRecord } from './facilities.repository.js';
import { encodeFacilityChanges, NOTIFY_MAX_BYTES, parseFacilityStatePayload } from './facility-notify.js';

const state = {
  capacity: 4,
  free: 1,
  occupied: 2,
  unknown: 1,
  closed: 0,
  status: 'open',
  confidence: 0.75,
  byCategory: { standard: { capacity: 4, free: 1, occupied: 2, unknown: 1, closed: 0, status: 'open' } },
  openNow: true,
  hoursChangeAt: Date.parse('2026-11-27T21:00:00Z'),
  version: 7,
  updatedAt: Date.parse('2026-11-27T08:00:00Z'),
};

describe('parseFacilityStatePayload', () => {
  it('reads changes announced with and without their state', () => {
    const changes = parseFacilityStatePayload(
      JSON.stringify([
        ['a', 3],
        ['b', 7, state],
      ]),
    );
    expect(changes).toEqual([
      { facilityId: 'a', version: 3 },
      {
        facilityId: 'b',
        version: 7,
        state: { ...state, updatedAt: new Date(state.updatedAt), hoursChangeAt: new Date(state.hoursChangeAt) },
      },
    ]);
  });

  it('drops a malformed state but keeps the change (the reader reads it back)', () => {
    for (const bad of [
      { ...state, free: 'x' },
      { ...state, status: 'maybe' },
      { ...state, byCategory: { standard: { free: 1 } } },
      { ...state, updatedAt: 'yesterday' },
      { ...state, hoursChangeAt: 'tonight' },
      null,
    ]) {
      expect(parseFacilityStatePayload(JSON.stringify([['b', 7, bad]]))).toEqual([{ facilityId: 'b', version: 7 }]);
    }
  });

  it('ignores what is not a change list', () => {
    expect(parseFacilityStatePayload('not json')).toEqual([]);
    expect(parseFacilityStatePayload(undefined)).toEqual([]);
    expect(parseFacilityStatePayload('{"a":1}')).toEqual([]);
    expect(
      parseFacilityStatePayload(
        JSON.stringify([
          [1, 2],
          ['ok', 'x'],
          ['fine', 2],
        ]),
      ),
    ).toEqual([{ facilityId: 'fine', version: 2 }]);
  });
});

describe('encodeFacilityChanges', () => {
  const committed = { ...state, updatedAt: new Date(state.updatedAt), hoursChangeAt: new Date(state.hoursChangeAt) } as FacilityStateRecord;

  it('reads back as it was announced, with and without the state', () => {
    const changes = [
      { facilityId: 'a', version: 3 },
      { facilityId: 'b', version: 7, state: committed },
      { facilityId: 'c', version: 1, state: { ...committed, version: 1, hoursChangeAt: null, openNow: null } },
    ];
    const payloads = encodeFacilityChanges(changes);
    expect(payloads).toHaveLength(1);
    expect(payloads.flatMap(parseFacilityStatePayload)).toEqual(changes);
  });

  it('splits into payloads under the size limit, in order, none empty', () => {
    const changes = Array.from({ length: 60 }, (_, i) => ({
      facilityId: `facility-${i}`,
      version: i,
      state: { ...committed, version: i },
    }));
    const payloads = encodeFacilityChanges(changes);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(NOTIFY_MAX_BYTES);
    expect(payloads.flatMap(parseFacilityStatePayload).map((c) => c.facilityId)).toEqual(changes.map((c) => c.facilityId));
    expect(encodeFacilityChanges([])).toEqual([]);
  });
});
