import { describe, expect, it } from 'vitest';
import { computeCounterAvailability } from './counter-availability.js';
import { decodeNativeMessage } from './decode.js';

const receivedAt = new Date('2026-11-27T10:00:00Z');
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('computeCounterAvailability', () => {
  it.each([
    ['an ordinary count', 100, 37, { free: 63, occupied: 37, unknown: 0 }, false],
    ['an empty car park', 100, 0, { free: 100, occupied: 0, unknown: 0 }, false],
    ['a full car park', 100, 100, { free: 0, occupied: 100, unknown: 0 }, false],
    ['more vehicles than capacity', 100, 104, { free: 0, occupied: 100, unknown: 0 }, true],
    ['a negative count', 100, -3, { free: 100, occupied: 0, unknown: 0 }, true],
    ['no fresh count', 100, null, { free: 0, occupied: 0, unknown: 100 }, false],
  ])('%s', (_name, capacity, vehicles, counts, clamped) => {
    const result = computeCounterAvailability(capacity, vehicles);
    expect(result.counts).toMatchObject({ capacity, closed: 0, ...counts });
    expect(result.clamped).toBe(clamped);
  });
});

describe('decodeNativeMessage on counters', () => {
  it.each([
    ['an absolute count', { vehicles: 41, seq: 7 }, { vehicles: 41, entered: null, exited: null, seq: 7 }],
    ['deltas', { entered: 3, exited: 1 }, { vehicles: null, entered: 3, exited: 1, flags: ['no_ts'] }],
    ['an impossible negative count (clamped later)', { vehicles: -2 }, { vehicles: -2 }],
  ])('accepts %s', (_name, payload, expected) => {
    const result = decodeNativeMessage('parking/v1/counters/gate-1', bytes(payload), receivedAt);
    expect(result).toMatchObject({ ok: true, event: { kind: 'counter', sensorId: 'gate-1', ...expected } });
  });

  it.each([
    ['no count at all', { ts: '2026-11-27T09:00:00Z' }, 'needs vehicles'],
    ['a negative delta', { entered: -1 }, 'entered'],
    ['a fractional count', { vehicles: 2.5 }, 'vehicles'],
  ])('rejects %s', (_name, payload, reasonPart) => {
    const result = decodeNativeMessage('parking/v1/counters/gate-1', bytes(payload), receivedAt);
    expect(result).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
    if (!result.ok) expect(result.reason).toContain(reasonPart);
  });

  it('uses the receipt time for a bay event whose clock runs 10 minutes ahead, and flags it', () => {
    const ts = new Date(receivedAt.getTime() + 10 * 60_000).toISOString();
    const result = decodeNativeMessage('parking/v1/bays/s1', bytes({ occupied: true, ts }), receivedAt);
    expect(result).toMatchObject({ ok: true, event: { ts: receivedAt, flags: ['clock_skew'] } });
  });

  it('keeps a timestamp 4 minutes ahead (within tolerance)', () => {
    const ts = new Date(receivedAt.getTime() + 4 * 60_000);
    const result = decodeNativeMessage('parking/v1/bays/s1', bytes({ occupied: true, ts: ts.toISOString() }), receivedAt);
    expect(result).toMatchObject({ ok: true, event: { ts, flags: [] } });
  });
});
