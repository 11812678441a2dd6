import { readFileSync } from 'node:fs';
import { decodeMessage, parseRegistry, resolveSensorModel } from '@freiplatz/domain';
import { describe, expect, it } from 'vitest';

const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('demo city and the shared LoRaWAN samples', () => {
  const parsed = parseRegistry(read('../../registry/demo-magdeburg.json'));
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  const registry = parsed.registry;
  const facilityOfSpot = new Map(registry.facilities.flatMap((f) => f.spots.map((s) => [s.id, f] as const)));

  it.each([
    ['tts-v3-uplink-occupied.json', 'on_street', true],
    ['chirpstack-v4-up-free.json', 'rv_site', false],
  ])('has the device of %s on a spot of a %s facility, decoding with its model', (file, kind, occupied) => {
    const { topic, payload } = read(`../fixtures/lorawan/${file}`) as { topic: string; payload: unknown };
    const decoded = decodeMessage(topic, Buffer.from(JSON.stringify(payload)), new Date(), (id) =>
      resolveSensorModel(registry.sensors.find((s) => s.id === id)?.model),
    );
    if (!decoded.ok || decoded.event.kind !== 'bay') throw new Error(`not a bay event: ${JSON.stringify(decoded)}`);
    const sensor = registry.sensors.find((s) => s.id === decoded.event.sensorId);
    expect(sensor?.kind).toBe('bay');
    if (sensor?.kind !== 'bay') return;
    expect(facilityOfSpot.get(sensor.spotId)?.kind).toBe(kind);
    expect(decoded.event.occupied).toBe(occupied);
  });
});
