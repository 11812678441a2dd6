import { describe, expect, it } from 'vitest';
import { decodeNativeMessage, MAX_PAYLOAD_BYTES } from './decode.js';

const receivedAt = new Date('2026-11-27T10:00:00Z');
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('decodeNativeMessage', () => {
  it.each([
    ['minimal payload, receipt time used and flagged', { occupied: true }, { occupied: true, ts: receivedAt, seq: null, flags: ['no_ts'] }],
    [
      'ISO timestamp',
      { occupied: false, ts: '2026-11-27T09:59:00+01:00', seq: 4 },
      { occupied: false, ts: new Date('2026-11-27T08:59:00Z'), seq: 4, flags: [] },
    ],
    ['epoch milliseconds', { occupied: true, ts: 1_795_000_000_000 }, { ts: new Date(1_795_000_000_000) }],
    [
      'battery, rssi and heartbeat',
      { occupied: true, battery: 3.6, rssi: -97, heartbeat: true },
      { battery: 3.6, rssi: -97, heartbeat: true },
    ],
    ['unknown fields are ignored', { occupied: true, firmware: '1.2' }, { occupied: true }],
  ])('accepts %s', (_name, payload, expected) => {
    const result = decodeNativeMessage('parking/v1/bays/mdb-1', bytes(payload), receivedAt);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event).toMatchObject({ sensorId: 'mdb-1', receivedAt, ...expected });
  });

  it.each([
    ['a string instead of a boolean', 'parking/v1/bays/s1', bytes({ occupied: 'yes' }), 'INVALID_PAYLOAD', 'occupied'],
    ['a missing occupied field', 'parking/v1/bays/s1', bytes({ ts: 1 }), 'INVALID_PAYLOAD', 'occupied'],
    ['non-JSON bytes', 'parking/v1/bays/s1', Buffer.from([0xff, 0xfe, 0x00]), 'NOT_JSON', 'not JSON'],
    ['plain text', 'parking/v1/bays/s1', bytes('hello'), 'NOT_JSON', 'not JSON'],
    ['a JSON array', 'parking/v1/bays/s1', bytes([1, 2]), 'INVALID_PAYLOAD', '(root)'],
    ['a timestamp before 2000', 'parking/v1/bays/s1', bytes({ occupied: true, ts: 5 }), 'INVALID_PAYLOAD', 'ts'],
    ['an unparseable date', 'parking/v1/bays/s1', bytes({ occupied: true, ts: 'yesterday' }), 'INVALID_PAYLOAD', 'ts'],
    ['a negative seq', 'parking/v1/bays/s1', bytes({ occupied: true, seq: -1 }), 'INVALID_PAYLOAD', 'seq'],
    ['a bad sensor id', 'parking/v1/bays/a b', bytes({ occupied: true }), 'BAD_SENSOR_ID', 'sensor id'],
    ['a topic without decoder', 'parking/v2/bays/s1', bytes({ occupied: true }), 'UNKNOWN_TOPIC', 'no decoder'],
    ['an oversized payload', 'parking/v1/bays/s1', Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20), 'PAYLOAD_TOO_LARGE', 'bytes'],
  ])('rejects %s with a reason', (_name, topic, payload, code, reasonPart) => {
    const result = decodeNativeMessage(topic, payload, receivedAt);
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.reason).toContain(reasonPart);
  });
});
