import type { BayEvent, CounterEvent, StatusEvent } from '@freiplatz/domain';
import { describe, expect, it } from 'vitest';
import { bayColumnBuffers, NO_SEQ, toIngestBatch } from './ingest-batch.js';
import { toReject } from './ingest-rejects.repository.js';

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

const base = { ts: new Date(1_800_000_000_000), seq: 1, receivedAt: new Date(1_800_000_000_000), battery: null, rssi: null, flags: [] };
const counter: CounterEvent = { ...base, kind: 'counter', sensorId: 'gate', vehicles: 12, entered: null, exited: null };
const status: StatusEvent = { ...base, kind: 'status', sensorId: 'lora', margin: 7 };

describe('toIngestBatch', () => {
  it('puts each field of each bay event in its column, nulls as NaN and measurements as a real column holds them', () => {
    const { bay: c, device } = toIngestBatch([
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
    expect(device).toEqual([]);
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

  it('keeps counter and status events as they are and the bay columns exactly as long as the bay events', () => {
    const reject = toReject({ topic: 't', payload: new Uint8Array([1]), code: 'NOT_JSON', reason: 'r', receivedAt: new Date(0) });
    const batch = toIngestBatch([counter, bay({ sensorId: 'a' }), status, bay({ sensorId: 'b', seq: 9 })], [reject]);
    expect(batch.device).toEqual([counter, status]);
    expect(batch.rejects).toEqual([reject]);
    expect(batch.bay.n).toBe(2);
    expect(batch.bay.sensorId).toEqual(['a', 'b']);
    expect(batch.bay.flags).toEqual(['{}', '{}']);
    for (const column of [batch.bay.tsMs, batch.bay.seq, batch.bay.occupied, batch.bay.batteryLevel]) expect(column).toHaveLength(2);
    expect([...batch.bay.seq]).toEqual([7, 9]);
  });

  it('an empty batch', () => {
    expect(toIngestBatch([]).bay.n).toBe(0);
    expect(bayColumnBuffers(toIngestBatch([]).bay).every((b) => b.byteLength === 0)).toBe(true);
  });
});
