import { createSilentLogger } from '@freiplatz/config';
import mqtt from 'mqtt';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { AckHandle } from './ack-queue.js';
import { createMqttConsumer, type MqttConsumer, PubackWriter } from './mqtt-consumer.js';
import '../../../test/provided-context.js';

// These tests guard the deferred-PUBACK mechanism against mqtt.js upgrades: if the library stops
// sending PUBACKs through `_sendPacket`, or reads only after `handleMessage` returns, they fail.
const url = inject('mqttUrl');
const protocolVersion = inject('mqttProtocolVersion');
let consumers: MqttConsumer[] = [];
afterEach(async () => {
  for (const c of consumers) c.client.end(true);
  consumers = [];
});

function consume(clientId: string, topic: string, maxUnacked = 1000) {
  const received: Array<{ payload: string; ack: AckHandle }> = [];
  const consumer = createMqttConsumer({
    url,
    clientId,
    topics: [topic],
    protocolVersion,
    maxUnacked,
    logger: createSilentLogger(),
    onMessage: (m) => received.push({ payload: m.payload.toString(), ack: m.ack }),
  });
  consumers.push(consumer);
  return { consumer, received };
}

async function publishMany(topic: string, n: number, prefix = '') {
  const pub = await mqtt.connectAsync(url, { protocolVersion });
  await Promise.all(Array.from({ length: n }, (_, i) => pub.publishAsync(topic, `${prefix}${i}`, { qos: 1 })));
  await pub.endAsync();
}

describe('deferred PUBACKs on mqtt.js', () => {
  it('keeps reading while acknowledgements are held, and the broker redelivers what was never acked', async () => {
    const topic = `test/deferred/${Date.now()}`;
    const first = consume('deferred-a', topic);
    await first.consumer.ready;
    await publishMany(topic, 300);
    // With PUBACKs tied to handleMessage, reading would stop after the first message.
    await expect.poll(() => first.received.length).toBe(300);
    expect(first.consumer.unacked()).toBe(300);
    first.consumer.client.end(true);

    const second = consume('deferred-a', topic);
    await expect.poll(() => second.received.length).toBe(300);
    expect(new Set(second.received.map((m) => m.payload)).size).toBe(300);
    for (const m of second.received) m.ack.ack();
    await expect.poll(() => second.consumer.unacked()).toBe(0);
    await second.consumer.close();

    const third = consume('deferred-a', topic);
    await third.consumer.ready;
    await publishMany(topic, 1, 'marker-');
    await expect.poll(() => third.received.length).toBeGreaterThan(0);
    expect(third.received.map((m) => m.payload)).toEqual(['marker-0']);
  });

  it('stops reading at the unacknowledged bound and resumes as acks go out', async () => {
    const topic = `test/bound/${Date.now()}`;
    const c = consume('deferred-bound', topic, 50);
    await c.consumer.ready;
    await publishMany(topic, 200);
    await expect.poll(() => c.received.length).toBe(50);
    expect(c.consumer.unacked()).toBe(50);
    for (let round = 0; round < 4 && c.received.length < 200; round++) {
      for (const m of c.received) m.ack.ack();
      await expect.poll(() => c.received.length).toBeGreaterThanOrEqual(Math.min(200, 50 * (round + 2)));
    }
    for (const m of c.received) m.ack.ack();
    expect(c.received).toHaveLength(200);
    await expect.poll(() => c.consumer.unacked()).toBe(0);
  });
});

describe('PubackWriter', () => {
  function fakeStream() {
    const writes: Buffer[] = [];
    const stream = { writable: true, write: (b: Buffer) => writes.push(Buffer.from(b)) > 0 } as unknown as NodeJS.WritableStream;
    return { stream, writes };
  }
  const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

  it('encodes PUBACKs as mqtt-packet does and writes those of one tick at once', async () => {
    const { stream, writes } = fakeStream();
    const w = new PubackWriter(5);
    w.add(stream, 1, 0);
    w.add(stream, 0x1234, 0);
    w.add(stream, 7, 0x10); // MQTT 5, non-zero reason: code and an empty property length
    expect(writes).toHaveLength(0);
    await tick();
    expect(writes).toEqual([Buffer.from([0x40, 2, 0, 1, 0x40, 2, 0x12, 0x34, 0x40, 4, 0, 7, 0x10, 0])]);
    const v4 = fakeStream();
    const w4 = new PubackWriter(4);
    w4.add(v4.stream, 65_535, 0x10); // MQTT 3.1.1 has no reason code
    await tick();
    expect(v4.writes).toEqual([Buffer.from([0x40, 2, 0xff, 0xff])]);
  });

  it('keeps each connection’s PUBACKs on it, and drops them when it closed', async () => {
    const a = fakeStream();
    const b = fakeStream();
    const w = new PubackWriter(4);
    for (let id = 1; id <= 3000; id++) w.add(a.stream, id, 0); // more than the first buffer holds
    w.add(b.stream, 9, 0);
    (b.stream as { writable: boolean }).writable = false;
    await tick();
    expect(a.writes).toHaveLength(1);
    expect(a.writes[0]).toHaveLength(12_000);
    expect(a.writes[0]?.subarray(-4)).toEqual(Buffer.from([0x40, 2, 0x0b, 0xb8]));
    expect(b.writes).toHaveLength(0);
  });
});
