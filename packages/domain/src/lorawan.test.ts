import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSensorDirectory } from './decode-directory.js';
import { decodeMessage } from './decode-message.js';
import { resolveSensorModel } from './sensor-model.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/lorawan/${name}`, import.meta.url), 'utf8')) as {
    topic: string;
    payload: Record<string, unknown>;
  };
const receivedAt = new Date('2026-11-26T09:16:42Z');
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const CS_APP = '6f2d6a4e-1c1b-4d2a-9a51-3b1f0c7e9d10';
/** The two sample devices, bound to their applications, decoding with model `id`. */
const model = (id: string) =>
  createSensorDirectory([
    {
      id: 'bay-ulrich-017',
      kind: 'bay',
      model: resolveSensorModel(id),
      lorawan: { network: 'tts', application: 'magdeburg-parking', tenant: 'city-md' },
    },
    { id: 'a84041000181c0de', kind: 'bay', model: resolveSensorModel(id), lorawan: { network: 'chirpstack', application: CS_APP } },
  ]);
const generic = model('generic');

const TTS_TOPIC = 'v3/magdeburg-parking@city-md/devices/bay-ulrich-017/up';
const tts = (uplink: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  bytes({ end_device_ids: { device_id: 'bay-ulrich-017' }, received_at: '2026-11-26T09:15:04.512Z', uplink_message: uplink, ...extra });
const CS_UP = `application/${CS_APP}/device/a84041000181c0de/event/up`;
const CS_STATUS = `application/${CS_APP}/device/a84041000181c0de/event/status`;

describe('decodeMessage on the shared LoRaWAN samples', () => {
  it('decodes the TTS v3 sample to an occupied bay event with f_cnt, received_at and rssi', () => {
    const { topic, payload } = fixture('tts-v3-uplink-occupied.json');
    const result = decodeMessage(topic, bytes(payload), receivedAt, model('occupied-voltage'));
    expect(result).toEqual({
      ok: true,
      event: {
        kind: 'bay',
        sensorId: 'bay-ulrich-017',
        ts: new Date('2026-11-26T09:15:04.512Z'),
        flags: [],
        seq: 4211,
        receivedAt,
        occupied: true,
        heartbeat: false,
        battery: null,
        batteryLevel: null,
        rssi: -104,
        temperature: null,
      },
    });
  });

  it('decodes the ChirpStack v4 sample to a free bay event with battery voltage and temperature', () => {
    const { topic, payload } = fixture('chirpstack-v4-up-free.json');
    const result = decodeMessage(topic, bytes(payload), receivedAt, model('occupied-voltage'));
    expect(result).toMatchObject({
      ok: true,
      event: { kind: 'bay', sensorId: 'a84041000181c0de', ts: new Date('2026-11-26T09:16:41.027Z'), seq: 977, occupied: false },
    });
    if (result.ok) expect(result.event).toMatchObject({ battery: 3.58, temperature: 4, rssi: -97, flags: [] });
  });

  it('decodes both samples the same with the generic model', () => {
    for (const name of ['tts-v3-uplink-occupied.json', 'chirpstack-v4-up-free.json']) {
      const { topic, payload } = fixture(name);
      const specific = decodeMessage(topic, bytes(payload), receivedAt, model('occupied-voltage'));
      expect(decodeMessage(topic, bytes(payload), receivedAt, generic)).toEqual(specific);
    }
  });
});

describe('decodeMessage on TTS v3 uplinks', () => {
  it.each([
    ['f_cnt omitted (zero) gives seq 0', tts({ decoded_payload: { occupied: false } }), { seq: 0, occupied: false }],
    ['rx_metadata omitted gives no rssi', tts({ f_cnt: 3, decoded_payload: { occupied: true } }), { rssi: null, seq: 3 }],
    [
      'the best of several gateways wins, channel_rssi as fallback',
      tts({ decoded_payload: { occupied: true }, rx_metadata: [{ rssi: -110 }, { channel_rssi: -90 }, {}] }),
      { rssi: -90 },
    ],
    [
      'received_at omitted: the receipt time, flagged',
      bytes({ uplink_message: { decoded_payload: { occupied: true } } }),
      { ts: receivedAt, flags: ['no_ts'] },
    ],
    [
      'nanosecond timestamps',
      tts({ decoded_payload: { occupied: true } }, { received_at: '2026-11-26T09:15:04.512345678Z' }),
      { ts: new Date('2026-11-26T09:15:04.512Z') },
    ],
    [
      'a clock more than 5 min ahead: receipt time used, flagged',
      tts({ decoded_payload: { occupied: true } }, { received_at: '2026-11-26T09:30:00Z' }),
      { ts: receivedAt, flags: ['clock_skew'] },
    ],
  ])('accepts %s', (_name, payload, expected) => {
    const result = decodeMessage(TTS_TOPIC, payload, receivedAt, model('occupied-voltage'));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event).toMatchObject(expected);
  });

  it('turns a battery-only uplink into a status event (proof of life, no occupancy)', () => {
    const result = decodeMessage(TTS_TOPIC, tts({ decoded_payload: { battery_voltage: 3.1 } }), receivedAt, model('occupied-voltage'));
    expect(result).toMatchObject({ ok: true, event: { kind: 'status', battery: 3.1 } });
  });

  it.each([
    ['no decoded_payload', tts({ f_cnt: 1, frm_payload: 'AQ==' }), 'NO_DECODED_PAYLOAD', 'payload formatter'],
    ['no uplink_message', bytes({ end_device_ids: { device_id: 'bay-ulrich-017' } }), 'INVALID_PAYLOAD', 'uplink_message'],
    [
      'another device in the body',
      tts({ decoded_payload: { occupied: true } }, { end_device_ids: { device_id: 'x' } }),
      'DEVICE_MISMATCH',
      '"x"',
    ],
    ['an occupancy value the model cannot place', tts({ decoded_payload: { occupied: 'maybe' } }), 'INVALID_PAYLOAD', 'occupied'],
    ['no known field', tts({ decoded_payload: { foo: 1 } }), 'INVALID_PAYLOAD', 'fields: foo'],
    ['a negative f_cnt', tts({ f_cnt: -1, decoded_payload: { occupied: true } }), 'INVALID_PAYLOAD', 'f_cnt'],
  ])('rejects %s', (_name, payload, code, reasonPart) => {
    const result = decodeMessage(TTS_TOPIC, payload, receivedAt, model('occupied-voltage'));
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.reason).toContain(reasonPart);
  });
});

describe('decodeMessage on ChirpStack v4 events', () => {
  it.each([
    ['a status report', { batteryLevel: 87.5, margin: 7 }, { batteryLevel: 87.5, margin: 7 }],
    ['zero values left out', { time: '2026-11-26T09:00:00Z' }, { batteryLevel: 0, margin: 0, ts: new Date('2026-11-26T09:00:00Z') }],
    ['battery level unavailable', { batteryLevelUnavailable: true, margin: 3 }, { batteryLevel: null }],
    ['external power', { externalPowerSource: true }, { batteryLevel: null }],
  ])('reads %s as a status event', (_name, payload, expected) => {
    const result = decodeMessage(CS_STATUS, bytes({ deviceInfo: { devEui: 'a84041000181c0de' }, ...payload }), receivedAt, generic);
    expect(result).toMatchObject({ ok: true, event: { kind: 'status', sensorId: 'a84041000181c0de', seq: null, ...expected } });
  });

  it('reads a parking-status model with battery in percent', () => {
    const payload = bytes({ fCnt: 12, object: { parking_status: 'occupied', battery: 64 } });
    const result = decodeMessage(CS_UP, payload, receivedAt, model('parking-status'));
    expect(result).toMatchObject({ ok: true, event: { kind: 'bay', occupied: true, batteryLevel: 64, battery: null, seq: 12 } });
  });

  it('lower-cases an upper-case DevEUI in the topic', () => {
    const topic = `application/${CS_APP}/device/A84041000181C0DE/event/up`;
    const result = decodeMessage(topic, bytes({ object: { occupied: true } }), receivedAt, generic);
    expect(result).toMatchObject({ ok: true, event: { sensorId: 'a84041000181c0de' } });
  });

  it.each([
    ['an uplink without object', CS_UP, { fCnt: 3, data: 'AQ==' }, 'NO_DECODED_PAYLOAD'],
    ['a body for another device', CS_UP, { deviceInfo: { devEui: '0000000000000001' }, object: { occupied: true } }, 'DEVICE_MISMATCH'],
    ['a battery level above 100', CS_STATUS, { batteryLevel: 180 }, 'INVALID_PAYLOAD'],
    ['an event type we do not read', `application/${CS_APP}/device/a84041000181c0de/event/join`, {}, 'UNKNOWN_TOPIC'],
  ])('rejects %s', (_name, topic, payload, code) => {
    expect(decodeMessage(topic, bytes(payload), receivedAt, generic)).toMatchObject({ ok: false, code });
  });
});
