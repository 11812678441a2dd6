import { readFileSync } from 'node:fs';
import { createRegistryDirectory, decodeMessage, parseRegistry } from '@freiplatz/domain';
import { describe, expect, it } from 'vitest';

const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('demo city and the shared LoRaWAN samples', () => {
  const parsed = parseRegistry(read('../../registry/demo-magdeburg.json'));
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  const registry = parsed.registry;
  const directory = createRegistryDirectory(registry);
  const facilityOfSpot = new Map(registry.facilities.flatMap((f) => f.spots.map((s) => [s.id, f] as const)));
  const sample = (file: string) => read(`../fixtures/lorawan/${file}`) as { topic: string; payload: Record<string, unknown> };

  it.each([
    ['tts-v3-uplink-occupied.json', 'on_street', true],
    ['chirpstack-v4-up-free.json', 'rv_site', false],
  ])('has the device of %s bound to its application, on a spot of a %s facility, decoding with its model', (file, kind, occupied) => {
    const { topic, payload } = sample(file);
    const decoded = decodeMessage(topic, Buffer.from(JSON.stringify(payload)), new Date(), directory);
    if (!decoded.ok || decoded.event.kind !== 'bay') throw new Error(`not a bay event: ${JSON.stringify(decoded)}`);
    const sensor = registry.sensors.find((s) => s.id === decoded.event.sensorId);
    expect(sensor?.kind).toBe('bay');
    expect(sensor?.lorawan).toBeDefined();
    if (sensor?.kind !== 'bay') return;
    expect(facilityOfSpot.get(sensor.spotId)?.kind).toBe(kind);
    expect(decoded.event.occupied).toBe(occupied);
  });

  it.each([
    ['a native bay sensor through a TTS topic', 'v3/evil-app@other-tenant/devices/mdb-pf-002/up', 'tts-v3-uplink-occupied.json'],
    ['the TTS sample device through another application', 'v3/evil-app@city-md/devices/bay-ulrich-017/up', 'tts-v3-uplink-occupied.json'],
    [
      'the ChirpStack sample device through another application',
      'application/evil-app/device/a84041000181c0de/event/up',
      'chirpstack-v4-up-free.json',
    ],
  ])('refuses %s', (_name, topic, file) => {
    const { payload } = sample(file);
    const body = { ...payload, end_device_ids: undefined, deviceInfo: undefined };
    expect(decodeMessage(topic, Buffer.from(JSON.stringify(body)), new Date(), directory)).toMatchObject({
      ok: false,
      code: 'BINDING_MISMATCH',
    });
  });

  it('keeps the LoRaWAN sample devices off native topics', () => {
    const body = Buffer.from(JSON.stringify({ occupied: true }));
    expect(decodeMessage('parking/v1/bays/bay-ulrich-017', body, new Date(), directory)).toMatchObject({ code: 'BINDING_MISMATCH' });
    expect(decodeMessage('parking/v1/bays/a84041000181c0de', body, new Date(), directory)).toMatchObject({ code: 'BINDING_MISMATCH' });
  });
});
