import { createRegistryDirectory, decodeMessage, decodeNativeMessage, type Registry } from '@freiplatz/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOccupancyModel, type OccupancyModel } from './occupancy-model.js';
import { createRng } from './rng.js';
import { buildBayMessage, createSensorFleet, planMessages, type SensorDevice } from './sensor-fleet.js';
import { readDemoRegistry, readNativeDemoRegistry } from './test-registry.js';

const T0 = Date.parse('2025-06-11T10:00:00Z');
// The demo city on native topics (the wire format these tests read); the bound devices have a test of their own.
let registry: Registry;
let boundRegistry: Registry;
beforeAll(async () => {
  registry = await readNativeDemoRegistry();
  boundRegistry = await readDemoRegistry();
});

function setUp(city: Registry = registry): {
  model: OccupancyModel;
  devices: SensorDevice[];
  send: (realMs: number) => ReturnType<typeof buildBayMessage>[];
} {
  const rng = createRng(5);
  const model = createOccupancyModel(city, { startMs: T0, rng });
  const devices = createSensorFleet(city, model, rng);
  const send = (realMs: number) =>
    planMessages(devices, model, realMs).map(({ index, reason }) =>
      buildBayMessage(devices[index]!, model.spots[index]!.occupied, reason, realMs, rng),
    );
  return { model, devices, send };
}

describe('sensor fleet', () => {
  it('sends each device as ingest takes it: LoRaWAN-bound ones as their network server publishes them, none refused', () => {
    const { send } = setUp(boundRegistry);
    const directory = createRegistryDirectory(boundRegistry);
    const messages = send(T0);
    const bound = boundRegistry.sensors.filter((s) => s.lorawan).map((s) => s.id);
    expect(bound.length).toBeGreaterThan(0);
    const decoded = messages.map((m) => decodeMessage(m!.topic, Buffer.from(m!.payload), new Date(T0), directory));
    expect(decoded.filter((d) => !d.ok)).toEqual([]);
    const sensorsOf = decoded.map((d) => (d.ok ? d.event.sensorId : null));
    expect(sensorsOf).toEqual(expect.arrayContaining(bound));
    expect(messages.filter((m) => !m!.topic.startsWith('parking/'))).toHaveLength(bound.length);
  });

  it('sends every sensor its initial state first, then stays quiet until something is due', () => {
    const { send } = setUp();
    const first = send(T0);
    expect(first.map((m) => m?.reason)).toEqual(registry.sensors.map(() => 'initial'));
    expect(first.map((m) => m?.topic)).toEqual(registry.sensors.map((s) => `parking/v1/bays/${s.id}`));
    expect(send(T0 + 1000)).toEqual([]);
  });

  it('sends payloads the ingest decoder accepts, stamped with real sending time', () => {
    const { send } = setUp();
    for (const message of send(T0)) {
      const decoded = decodeNativeMessage(message!.topic, Buffer.from(message!.payload), new Date(T0 + 50));
      expect(decoded.ok && decoded.event.ts.getTime()).toBe(T0);
      expect(decoded.ok && decoded.event.flags).toEqual([]);
    }
  });

  it('reports a change once, with the next seq', () => {
    const { model, send } = setUp();
    send(T0);
    const spot = model.spots[0]!;
    spot.occupied = !spot.occupied;
    const [change, ...rest] = send(T0 + 1000);
    expect(rest).toEqual([]);
    expect(change?.reason).toBe('change');
    expect(JSON.parse(change!.payload)).toMatchObject({ occupied: spot.occupied, seq: 2 });
    expect(send(T0 + 2000)).toEqual([]);
  });

  it('drops a planned change whose spot flipped back before it was sent', () => {
    const { model, devices, send } = setUp();
    send(T0);
    model.spots[0]!.occupied = !model.spots[0]!.occupied;
    const [planned] = planMessages(devices, model, T0 + 1000);
    model.spots[0]!.occupied = !model.spots[0]!.occupied;
    expect(buildBayMessage(devices[0]!, model.spots[0]!.occupied, planned!.reason, T0 + 1000, createRng(1))).toBeNull();
  });

  it('beats every sensor within its real heartbeat interval, spread out, repeating the state', () => {
    const { model, devices, send } = setUp();
    send(T0);
    const beatsAt = new Map<string, number[]>();
    for (let t = T0 + 10_000; t <= T0 + 3_600_000; t += 10_000) {
      for (const m of send(t)) {
        expect(m?.reason).toBe('heartbeat');
        const sensorId = m!.topic.split('/').at(-1)!;
        beatsAt.set(sensorId, [...(beatsAt.get(sensorId) ?? []), t]);
        const body = JSON.parse(m!.payload);
        expect(body.heartbeat).toBe(true);
        expect(body.occupied).toBe(model.spots[devices.findIndex((d) => d.sensorId === sensorId)]!.occupied);
      }
    }
    for (const device of devices) {
      const beats = [T0, ...(beatsAt.get(device.sensorId) ?? [])];
      expect(beats.length).toBeGreaterThanOrEqual(3600_000 / device.heartbeatMs);
      for (let i = 1; i < beats.length; i++) expect(beats[i]! - beats[i - 1]!).toBeLessThanOrEqual(device.heartbeatMs + 10_000);
    }
    const firstBeats = devices.map((d) => beatsAt.get(d.sensorId)?.[0] ?? 0);
    expect(new Set(firstBeats).size).toBeGreaterThan(40);
  });

  it('drains the battery slowly and keeps rssi plausible', () => {
    const { devices, send } = setUp();
    const before = devices.map((d) => d.battery);
    send(T0);
    for (let t = T0 + 60_000; t <= T0 + 86_400_000; t += 60_000) {
      for (const m of send(t)) {
        const body = JSON.parse(m!.payload);
        expect(body.battery).toBeGreaterThan(3.4);
        expect(body.battery).toBeLessThanOrEqual(3.66);
        expect(body.rssi).toBeGreaterThanOrEqual(-115);
        expect(body.rssi).toBeLessThanOrEqual(-65);
      }
    }
    for (const [i, device] of devices.entries()) expect(device.battery).toBeLessThan(before[i]!);
  });
});
