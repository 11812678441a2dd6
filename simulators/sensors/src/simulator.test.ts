import { decodeNativeMessage, type Registry } from '@freiplatz/domain';
import { findFreePort } from '@freiplatz/testing';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerBackend, startBrokerBackend } from '../../../test/support/broker.js';
import { BrokerConnectError } from './connect-client.js';
import { createSimulator } from './simulator.js';
import { readNativeDemoRegistry } from './test-registry.js';

const WEDNESDAY_MORNING = new Date('2025-06-11T06:00:00+02:00'); // the morning rush: many changes soon

describe('simulator over a real broker', () => {
  let broker: BrokerBackend;
  let subscriber: MqttClient;
  let registry: Registry;
  const received: Array<{ topic: string; payload: Buffer; at: Date }> = [];

  beforeAll(async () => {
    registry = await readNativeDemoRegistry(); // native topics: what the subscriber below decodes
    broker = await startBrokerBackend({ quiet: true });
    subscriber = await connectAsync(broker.url, { protocolVersion: 4 });
    subscriber.on('message', (topic, payload) => received.push({ topic, payload, at: new Date() }));
    await subscriber.subscribeAsync('parking/v1/bays/#', { qos: 1 });
  });

  afterAll(async () => {
    await subscriber?.endAsync();
    await broker?.stop();
  });

  it('publishes exactly maxEvents decodable messages, initial states first, seq increasing per sensor', async () => {
    received.length = 0;
    const simulator = createSimulator({ mqttUrl: broker.url, registry, maxEvents: 500, speed: 3600, seed: 11, startAt: WEDNESDAY_MORNING });
    await simulator.start();
    const stats = await simulator.done;
    expect(stats).toMatchObject({ stopReason: 'events', eventsSent: 500, delivered: 500, failed: 0 });
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(500);

    const lastSeq = new Map<string, number>();
    const firstOf = new Map<string, { heartbeat: boolean; seq: number | null }>();
    for (const { topic, payload, at } of received) {
      const decoded = decodeNativeMessage(topic, payload, at);
      if (!decoded.ok) throw new Error(`${topic}: ${decoded.reason}`);
      if (decoded.event.kind !== 'bay') throw new Error(`${topic}: not a bay event`);
      const { sensorId, seq, heartbeat, ts } = decoded.event;
      expect(seq).not.toBeNull();
      expect(seq!).toBeGreaterThan(lastSeq.get(sensorId) ?? 0);
      lastSeq.set(sensorId, seq!);
      expect(Math.abs(ts.getTime() - at.getTime())).toBeLessThan(5_000);
      if (!firstOf.has(sensorId)) firstOf.set(sensorId, { heartbeat, seq });
    }
    expect(registry.sensors.length).toBeLessThanOrEqual(500);
    expect([...firstOf.keys()].sort()).toEqual(registry.sensors.map((s) => s.id).sort());
    for (const first of firstOf.values()) expect(first).toEqual({ heartbeat: false, seq: 1 });
  });

  it('stops by itself when the duration is over', async () => {
    const simulator = createSimulator({ mqttUrl: broker.url, registry, durationSeconds: 0.5, qos: 0 });
    await simulator.start();
    const stats = await simulator.done;
    expect(stats.stopReason).toBe('duration');
    expect(stats.elapsedSeconds).toBeLessThan(3);
    expect(stats.initialSent).toBe(registry.sensors.length);
  });

  it('stops on request and resolves done', async () => {
    const simulator = createSimulator({ mqttUrl: broker.url, registry, speed: 60, startAt: WEDNESDAY_MORNING });
    await simulator.start();
    await expect.poll(() => simulator.stats().eventsSent).toBeGreaterThan(0);
    await simulator.stop();
    await expect(simulator.done).resolves.toMatchObject({ stopReason: 'stopped', failed: 0, outstanding: 0 });
  });

  it('still stops when the broker vanished with messages outstanding', async () => {
    const doomed = await startBrokerBackend({ quiet: true, ownBroker: true });
    try {
      const simulator = createSimulator({ mqttUrl: doomed.url, registry, speed: 600, window: 8, startAt: WEDNESDAY_MORNING });
      await simulator.start();
      await expect.poll(() => simulator.stats().eventsSent).toBeGreaterThan(20);
      await doomed.stop();
      await expect.poll(() => simulator.stats().outstanding, { timeout: 10_000 }).toBe(8);
      await simulator.stop();
      const stats = await simulator.done;
      expect(stats.stopReason).toBe('stopped');
      expect(stats.delivered + stats.failed + stats.outstanding).toBe(stats.eventsSent);
    } finally {
      await doomed.stop();
    }
  });

  it('rejects start with a clear error when the broker is unreachable', async () => {
    const port = await findFreePort();
    const simulator = createSimulator({ mqttUrl: `mqtt://127.0.0.1:${port}`, registry, maxEvents: 1 });
    await expect(simulator.start()).rejects.toBeInstanceOf(BrokerConnectError);
    await expect(simulator.done).resolves.toMatchObject({ stopReason: 'error', eventsSent: 0 });
  });
});
