import { describe, expect, it } from 'vitest';
import { createSensorDirectory, type DirectorySensor } from './decode-directory.js';
import { decodeMessage } from './decode-message.js';
import { parseRegistry } from './registry.schema.js';
import { resolveSensorModel } from './sensor-model.js';

const receivedAt = new Date('2026-11-26T09:16:42Z');
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const sensor = (id: string, kind: 'bay' | 'counter', lorawan: DirectorySensor['lorawan'] = null): DirectorySensor => ({
  id,
  kind,
  model: resolveSensorModel('generic'),
  lorawan,
});

const directory = createSensorDirectory([
  sensor('mdb-pf-002', 'bay'),
  sensor('gate-1', 'counter'),
  sensor('bay-ulrich-017', 'bay', { network: 'tts', application: 'magdeburg-parking', tenant: 'city-md' }),
  sensor('pitch-4', 'bay', { network: 'chirpstack', application: 'rv-app', tenant: 'city', devEui: 'a84041000181c0de' }),
  sensor('lora-gate', 'counter', { network: 'tts', application: 'magdeburg-parking' }),
]);
const tts = (topic: string, decoded: Record<string, unknown> = { occupied: true }) =>
  decodeMessage(topic, bytes({ uplink_message: { f_cnt: 5, decoded_payload: decoded } }), receivedAt, directory);
const chirpstack = (topic: string, deviceInfo: Record<string, unknown>) =>
  decodeMessage(topic, bytes({ deviceInfo, fCnt: 5, object: { occupied: false } }), receivedAt, directory);

describe('LoRaWAN uplinks reach only the sensor bound to their network, application and tenant', () => {
  it('takes an uplink of the bound TTS application and tenant', () => {
    expect(tts('v3/magdeburg-parking@city-md/devices/bay-ulrich-017/up')).toMatchObject({
      ok: true,
      event: { kind: 'bay', sensorId: 'bay-ulrich-017', seq: 5 },
    });
  });

  it('takes a ChirpStack uplink under its DevEUI for the sensor bound to it', () => {
    const result = chirpstack('application/rv-app/device/a84041000181c0de/event/up', { tenantId: 'city', applicationId: 'rv-app' });
    expect(result).toMatchObject({ ok: true, event: { kind: 'bay', sensorId: 'pitch-4', occupied: false } });
  });

  it.each([
    ['a native bay sensor through a TTS topic of another application', 'v3/evil-app@other-tenant/devices/mdb-pf-002/up', 'mdb-pf-002'],
    ['a bound device through another application', 'v3/evil-app@city-md/devices/bay-ulrich-017/up', '"magdeburg-parking"'],
    ['a bound device through another tenant', 'v3/magdeburg-parking@other-tenant/devices/bay-ulrich-017/up', 'tenant "city-md"'],
    ['a bound device without its tenant', 'v3/magdeburg-parking/devices/bay-ulrich-017/up', 'tenant "city-md"'],
    ['a ChirpStack device id through a TTS topic', 'v3/rv-app@city/devices/pitch-4/up', 'pitch-4'],
  ])('refuses %s (BINDING_MISMATCH)', (_name, topic, reasonPart) => {
    const result = tts(topic);
    expect(result).toMatchObject({ ok: false, code: 'BINDING_MISMATCH' });
    if (!result.ok) expect(result.reason).toContain(reasonPart);
  });

  it.each([
    ['another application', 'application/evil/device/a84041000181c0de/event/up', {}],
    ['another tenant', 'application/rv-app/device/a84041000181c0de/event/up', { tenantId: 'evil' }],
    ['no tenant named', 'application/rv-app/device/a84041000181c0de/event/status', {}],
  ])('refuses a ChirpStack event from %s (BINDING_MISMATCH)', (_name, topic, deviceInfo) => {
    expect(chirpstack(topic, deviceInfo)).toMatchObject({ ok: false, code: 'BINDING_MISMATCH' });
  });

  it('refuses a TTS body naming another application than its topic', () => {
    const body = bytes({
      end_device_ids: { application_ids: { application_id: 'evil' } },
      uplink_message: { decoded_payload: { occupied: true } },
    });
    const result = decodeMessage('v3/magdeburg-parking@city-md/devices/bay-ulrich-017/up', body, receivedAt, directory);
    expect(result).toMatchObject({ ok: false, code: 'DEVICE_MISMATCH' });
  });

  it('refuses a ChirpStack body naming another application than its topic', () => {
    const result = chirpstack('application/rv-app/device/a84041000181c0de/event/up', { tenantId: 'city', applicationId: 'evil' });
    expect(result).toMatchObject({ ok: false, code: 'DEVICE_MISMATCH' });
  });

  it('refuses an unregistered device with UNKNOWN_DEVICE, naming where it came from', () => {
    const result = tts('v3/some-app@t/devices/nobody-here/up');
    expect(result).toMatchObject({ ok: false, code: 'UNKNOWN_DEVICE' });
    if (!result.ok) expect(result.reason).toContain('"some-app"');
  });

  it('keeps a bound device off native topics', () => {
    const result = decodeMessage('parking/v1/bays/bay-ulrich-017', bytes({ occupied: true }), receivedAt, directory);
    expect(result).toMatchObject({ ok: false, code: 'BINDING_MISMATCH' });
  });
});

describe('messages that do not fit the sensor kind', () => {
  it.each([
    ['a counter reading for a bay sensor', 'parking/v1/counters/mdb-pf-002', { vehicles: 3 }],
    ['a bay reading for a counter', 'parking/v1/bays/gate-1', { occupied: true }],
  ])('refuses %s (WRONG_KIND)', (_name, topic, payload) => {
    expect(decodeMessage(topic, bytes(payload), receivedAt, directory)).toMatchObject({ ok: false, code: 'WRONG_KIND' });
  });

  it('refuses an occupancy uplink for a LoRaWAN counter, and takes its battery report', () => {
    expect(tts('v3/magdeburg-parking@x/devices/lora-gate/up')).toMatchObject({ ok: false, code: 'WRONG_KIND' });
    expect(tts('v3/magdeburg-parking@x/devices/lora-gate/up', { battery_voltage: 3.2 })).toMatchObject({
      ok: true,
      event: { kind: 'status', sensorId: 'lora-gate' },
    });
  });

  it('takes readings of the right kind, and of sensors not registered (unassigned)', () => {
    expect(decodeMessage('parking/v1/counters/gate-1', bytes({ vehicles: 3 }), receivedAt, directory)).toMatchObject({ ok: true });
    expect(decodeMessage('parking/v1/bays/mdb-pf-002', bytes({ occupied: true }), receivedAt, directory)).toMatchObject({ ok: true });
    expect(decodeMessage('parking/v1/counters/new-1', bytes({ vehicles: 3 }), receivedAt, directory)).toMatchObject({ ok: true });
  });
});

describe('LoRaWAN bindings in the registry', () => {
  const registry = (sensors: unknown[]) =>
    parseRegistry({
      version: 1,
      facilities: [{ id: 'f', name: 'F', kind: 'car_park', location: { lat: 52, lon: 11 }, spots: [{ id: 'f-1' }, { id: 'f-2' }] }],
      sensors,
    });

  it('accepts a TTS and a ChirpStack binding, lower-casing the DevEUI', () => {
    const parsed = registry([
      { id: 'a', spotId: 'f-1', lorawan: { network: 'tts', application: 'app', tenant: 'ten' } },
      { id: 'b', spotId: 'f-2', lorawan: { network: 'chirpstack', application: 'uuid-1', devEui: 'A84041000181C0DE' } },
    ]);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.registry.sensors[1]?.lorawan?.devEui).toBe('a84041000181c0de');
  });

  it.each([
    ['a ChirpStack device without a DevEUI', [{ id: 'a', spotId: 'f-1', lorawan: { network: 'chirpstack', application: 'x' } }], 'DevEUI'],
    [
      'one device bound twice',
      [
        { id: 'a', spotId: 'f-1', lorawan: { network: 'tts', application: 'x', deviceId: 'd' } },
        { id: 'b', spotId: 'f-2', lorawan: { network: 'tts', application: 'x', deviceId: 'd' } },
      ],
      'bound twice',
    ],
    ['an application with a slash', [{ id: 'a', spotId: 'f-1', lorawan: { network: 'tts', application: 'x/y' } }], 'application'],
  ])('refuses %s', (_name, sensors, issuePart) => {
    const parsed = registry(sensors);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues.join('\n')).toContain(issuePart);
  });
});
