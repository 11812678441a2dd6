import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../harness.js';
import { buildSensorsRegistry } from './registry.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/lorawan/${name}`, import.meta.url), 'utf8')) as {
    topic: string;
    payload: Record<string, unknown>;
  };

const sensorState = (h: Harness, id: string) => h.db.selectFrom('sensor_state').selectAll().where('sensor_id', '=', id).executeTakeFirst();
const facilityState = (h: Harness, id: string) =>
  h.db.selectFrom('facility_state').selectAll().where('facility_id', '=', id).executeTakeFirstOrThrow();

describe('LoRaWAN uplinks through the real broker', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildSensorsRegistry());
    await h.startIngest();
  });
  afterAll(async () => h?.close());

  it('marks the mapped bay occupied when the TTS v3 sample arrives', async () => {
    const { topic, payload } = fixture('tts-v3-uplink-occupied.json');
    expect((await facilityState(h, 'ulrich')).occupied).toBe(0);
    await h.publish(topic, payload);
    await expect.poll(async () => (await facilityState(h, 'ulrich')).occupied).toBe(1);
    expect(await sensorState(h, 'bay-ulrich-017')).toMatchObject({ occupied: true, seq: 4211, rssi: -104 });
    const event = await h.db.selectFrom('occupancy_events').selectAll().where('sensor_id', '=', 'bay-ulrich-017').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ occupied: true, seq: 4211 });
  });

  it('marks the mapped camper pitch free with its battery and temperature when the ChirpStack v4 sample arrives', async () => {
    const { topic, payload } = fixture('chirpstack-v4-up-free.json');
    await h.publish(topic, payload);
    await expect.poll(async () => (await facilityState(h, 'petri')).free).toBe(1);
    const state = await sensorState(h, 'a84041000181c0de');
    expect(state).toMatchObject({ occupied: false, seq: 977, rssi: -97, temperature: 4 });
    expect(state?.battery).toBeCloseTo(3.58, 5);
    expect((await facilityState(h, 'petri')).by_category).toMatchObject({ camper: { free: 1 } });
  });

  it('updates the battery level from a ChirpStack status event without touching occupancy', async () => {
    const { payload } = fixture('chirpstack-v4-up-free.json');
    const topic = 'application/6f2d6a4e-1c1b-4d2a-9a51-3b1f0c7e9d10/device/a84041000181c0de/event/status';
    await h.publish(topic, { deviceInfo: payload.deviceInfo, time: new Date().toISOString(), margin: 9, batteryLevel: 12.5 });
    await expect.poll(async () => (await sensorState(h, 'a84041000181c0de'))?.battery_level).toBe(12.5);
    expect(await sensorState(h, 'a84041000181c0de')).toMatchObject({ occupied: false, margin: 9, seq: 977 });
    expect((await facilityState(h, 'petri')).free).toBe(1);
  });

  it('dead-letters an uplink without a decoded payload, with its reason', async () => {
    await h.publish('v3/magdeburg-parking@city-md/devices/bay-ulrich-017/up', { uplink_message: { f_cnt: 4212, frm_payload: 'AQ==' } });
    await expect
      .poll(async () => (await h.db.selectFrom('ingest_rejects').select(['code', 'reason']).execute()).map((r) => r.code))
      .toContain('NO_DECODED_PAYLOAD');
  });

  it('dead-letters uplinks from another application or tenant, native sensors through network-server topics, and the reverse', async () => {
    const { payload } = fixture('tts-v3-uplink-occupied.json');
    const body = { ...payload, end_device_ids: undefined };
    await h.publish('v3/evil-app@other-tenant/devices/ulrich-18-s/up', body); // a native bay sensor
    await h.publish('v3/evil-app@city-md/devices/bay-ulrich-017/up', body); // another application
    await h.publish('v3/magdeburg-parking@other-tenant/devices/bay-ulrich-017/up', body); // another tenant
    await h.publish('v3/magdeburg-parking@city-md/devices/nobody/up', body); // not registered
    await h.publish('parking/v1/bays/a84041000181c0de', { occupied: true, seq: 1 }); // a LoRaWAN device, natively
    await h.publish('parking/v1/counters/ulrich-18-s', { vehicles: 4, seq: 1 }); // a bay sensor's counter reading
    const rejects = () =>
      h.db.selectFrom('ingest_rejects').select(['topic', 'code', 'reason']).where('code', '<>', 'NO_DECODED_PAYLOAD').execute();
    await expect.poll(async () => (await rejects()).length, { timeout: 10_000 }).toBe(6);
    expect(Object.fromEntries((await rejects()).map((r) => [r.topic, r.code]))).toEqual({
      'v3/evil-app@other-tenant/devices/ulrich-18-s/up': 'BINDING_MISMATCH',
      'v3/evil-app@city-md/devices/bay-ulrich-017/up': 'BINDING_MISMATCH',
      'v3/magdeburg-parking@other-tenant/devices/bay-ulrich-017/up': 'BINDING_MISMATCH',
      'v3/magdeburg-parking@city-md/devices/nobody/up': 'UNKNOWN_DEVICE',
      'parking/v1/bays/a84041000181c0de': 'BINDING_MISMATCH',
      'parking/v1/counters/ulrich-18-s': 'WRONG_KIND',
    });
    const events = await h.db
      .selectFrom('occupancy_events')
      .select('sensor_id')
      .where('sensor_id', 'in', ['ulrich-18-s', 'nobody'])
      .execute();
    expect(events).toEqual([]);
    expect(await sensorState(h, 'ulrich-18-s')).toBeUndefined();
  });
});
