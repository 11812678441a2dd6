import type { BayEvent } from '@freiplatz/domain';
import { describe, expect, it } from 'vitest';
import { bayColumnBuffers, booleanArrayLiteral, NO_SEQ, numberArrayLiteral, toBayColumns } from './bay-columns.js';

const bay = (over: Partial<BayEvent>): BayEvent => ({
  kind: 'bay',
  sensorId: 's',
  ts: new Date(1_800_000_000_123),
  seq: 7,
  receivedAt: new Date(1_800_000_000_456),
  occupied: true,
  heartbeat: false,
  battery: 3.6,
  rssi: -71.5,
  flags: [],
  ...over,
});

describe('toBayColumns', () => {
  it('puts each field of each event in its column, nulls as NaN and measurements as a real column holds them', () => {
    const c = toBayColumns([
      bay({}),
      bay({
        sensorId: 'b"\\',
        seq: null,
        occupied: false,
        heartbeat: true,
        battery: null,
        rssi: 9e-323,
        temperature: 12.5,
        batteryLevel: 80,
      }),
      bay({ flags: ['no_ts', 'clock_skew'], battery: Number.POSITIVE_INFINITY, rssi: 1e39 }),
    ]);
    expect(c.n).toBe(3);
    expect(c.sensorId).toEqual(['s', 'b"\\', 's']);
    expect([...c.tsMs]).toEqual([1_800_000_000_123, 1_800_000_000_123, 1_800_000_000_123]);
    expect([...c.seq]).toEqual([7, NO_SEQ, 7]);
    expect([...c.receivedMs]).toEqual([1_800_000_000_456, 1_800_000_000_456, 1_800_000_000_456]);
    expect([...c.occupied]).toEqual([1, 0, 1]);
    expect([...c.heartbeat]).toEqual([0, 1, 0]);
    expect([...c.battery]).toEqual([3.6, Number.NaN, Number.NaN]);
    expect([...c.rssi]).toEqual([-71.5, 0, Number.NaN]); // below float4's normal range → 0, above its maximum → null
    expect([...c.temperature]).toEqual([Number.NaN, 12.5, Number.NaN]);
    expect([...c.batteryLevel]).toEqual([Number.NaN, 80, Number.NaN]);
    expect(c.flags).toEqual(['{}', '{}', '{no_ts,clock_skew}']);
    expect(bayColumnBuffers(c)).toHaveLength(9);
  });

  it('renders array literals in the given order, NaN as NULL', () => {
    const c = toBayColumns([
      bay({ battery: 1.5, occupied: true }),
      bay({ battery: null, occupied: false }),
      bay({ battery: 2, occupied: true }),
    ]);
    expect(numberArrayLiteral(c.battery, [2, 0, 1])).toBe('{2,1.5,NULL}');
    expect(booleanArrayLiteral(c.occupied, [1, 2])).toBe('{f,t}');
    expect(numberArrayLiteral(c.battery, [])).toBe('{}');
  });
});
