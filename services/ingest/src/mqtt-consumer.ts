import type { Logger } from '@freiplatz/config';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import { type AckHandle, AckQueue } from './ack-queue.js';

export interface ReceivedMessage {
  topic: string;
  payload: Buffer;
  receivedAt: Date;
  ack: AckHandle;
}

export interface MqttConsumerOptions {
  url: string;
  clientId: string;
  topics: string[];
  /** Topics subscribed at QoS 0 on their own, whose refusal is only logged (broker statistics under `$SYS/`). */
  optionalTopics?: string[];
  protocolVersion: 4 | 5;
  /** Unacknowledged messages allowed before reading pauses (MQTT 5 Receive Maximum too). */
  maxUnacked: number;
  /** Payload bytes of unacknowledged messages allowed before reading pauses (default: no byte bound). */
  maxUnackedBytes?: number;
  /** Session kept by the broker while the consumer is away (MQTT 5), in seconds. */
  sessionExpirySeconds?: number;
  username?: string;
  password?: string;
  /** TLS and other transport options passed through to mqtt.js. */
  transport?: Partial<IClientOptions>;
  logger: Logger;
  /** Messages held downstream (including QoS 0 ones, which have no PUBACK to hold back). */
  backlog?: () => number;
  /** Payload bytes held downstream (as `backlog`). */
  backlogBytes?: () => number;
  onMessage: (message: ReceivedMessage) => void;
}

export interface MqttConsumer {
  readonly client: MqttClient;
  unacked(): number;
  /** Payload bytes of the unacknowledged messages. */
  unackedBytes(): number;
  /** Lets paused reading continue once downstream has room again. */
  releaseReaders(): void;
  oldestUnackedAgeMs(): number;
  /** Resolves after the first successful subscription. */
  ready: Promise<void>;
  /** Stops taking new messages (they stay unacknowledged for the broker to redeliver). */
  pause(): void;
  close(): Promise<void>;
}

/** Topic filters to subscribe: each one as `$share/<group>/<filter>` when a share group is set. */
export function toSubscriptionTopics(filters: readonly string[], shareGroup?: string): string[] {
  return shareGroup === undefined ? [...filters] : filters.map((f) => `$share/${shareGroup}/${f}`);
}

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

const noAck: AckHandle = { ack() {} };

/**
 * Encodes PUBACKs as mqtt-packet does (`0x40 0x02 id` — MQTT 5 adds the reason code and an empty
 * property length only when the code is not 0) into one buffer per tick, written to the stream the
 * PUBACKs belong to at the end of the tick (dropped if that connection closed meanwhile: the broker
 * redelivers those messages).
 */
export class PubackWriter {
  private buf = Buffer.allocUnsafe(4096);
  private len = 0;
  private stream: NodeJS.WritableStream | null = null;

  constructor(private readonly protocolVersion: 4 | 5) {}

  add(stream: NodeJS.WritableStream, messageId: number, reasonCode: number): void {
    if (this.stream !== stream) {
      if (this.stream !== null) this.write(); // another connection's PUBACKs go out first, on theirs
      this.stream = stream;
      queueMicrotask(() => this.write());
    }
    if (this.len + 6 > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    const b = this.buf;
    const long = this.protocolVersion === 5 && reasonCode !== 0;
    b[this.len++] = 0x40;
    b[this.len++] = long ? 4 : 2;
    b[this.len++] = messageId >> 8;
    b[this.len++] = messageId & 0xff;
    if (long) {
      b[this.len++] = reasonCode;
      b[this.len++] = 0;
    }
  }

  private write(): void {
    const stream = this.stream;
    if (stream === null) return;
    this.stream = null;
    const bytes = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    if (this.buf.length > 65_536) this.buf = Buffer.allocUnsafe(4096);
    if (stream.writable) stream.write(bytes);
  }
}

/**
 * An mqtt.js client whose QoS 1 PUBACKs wait for `ack()` while reading goes on.
 * mqtt.js sends the PUBACK from `_sendPacket` once `handleMessage` calls back and reads the next
 * packet only after that send: we call back at once and hold the PUBACK itself (see README).
 */
export function createMqttConsumer(options: MqttConsumerOptions): MqttConsumer {
  const log = options.logger;
  const waiting: Array<() => void> = [];
  let closing = false;

  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    clean: false,
    protocolVersion: options.protocolVersion,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    keepalive: 30,
    resubscribe: false,
    // mqtt.js traces every packet through `debug`; even switched off, those calls allocate their
    // arguments per message (a tenth of the worker's allocations at full rate). `DEBUG=mqttjs*`
    // still gets the trace.
    ...(/mqttjs/.test(process.env.DEBUG ?? '') ? {} : { log: () => {} }),
    // Without this, mqtt-packet pre-builds 65,536 two-byte buffers for message ids: ~7 MiB of heap
    // that every major GC walks, in a worker whose heap is capped at ~100 MiB.
    writeCache: false,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.protocolVersion === 5
      ? {
          properties: {
            sessionExpiryInterval: options.sessionExpirySeconds ?? 86_400,
            receiveMaximum: Math.min(options.maxUnacked, 65_535),
          },
        }
      : {}),
    ...options.transport,
  });

  // mqtt.js keeps `_sendPacket` private; this is the one place that reaches into it.
  const internal = client as unknown as { _sendPacket: SendPacket };
  if (typeof internal._sendPacket !== 'function' || typeof client.handleMessage !== 'function') {
    throw new Error('mqtt.js no longer exposes _sendPacket/handleMessage: the deferred-ack consumer needs updating');
  }
  const sendPacket = internal._sendPacket.bind(client);
  // The PUBACKs released together (a committed batch: thousands at once) leave as one write of
  // their encoded bytes, built here from the id and reason code the queue kept. Through mqtt.js each
  // one was a packet object and three stream writes of small buffers (mqtt-packet's encoding).
  const pubacks = new PubackWriter(options.protocolVersion);
  const queue = new AckQueue((messageId, reasonCode) => {
    if (client.connected) pubacks.add(client.stream, messageId, reasonCode);
  });
  internal._sendPacket = (packet, cb, ...rest) => {
    if (packet.cmd === 'puback' && packet.messageId !== undefined) {
      // Not captured: it belongs to a closed connection. Sending it now could acknowledge a
      // redelivered message before its commit, so it is dropped and the broker redelivers.
      if (!queue.capture(packet.messageId, packet.reasonCode ?? 0)) {
        log.debug({ messageId: packet.messageId }, 'dropping PUBACK of a closed connection');
      }
      cb?.();
      return;
    }
    sendPacket(packet, cb, ...rest);
  };

  // Bounded in messages and in bytes: a few large messages (one sensor's 16 KB garbage) hold as much
  // memory as thousands of small ones. The byte check lets one message in however large it is.
  const maxBytes = options.maxUnackedBytes ?? Number.POSITIVE_INFINITY;
  const hasRoom = () =>
    Math.max(queue.size, options.backlog?.() ?? 0) < options.maxUnacked && Math.max(queue.bytes, options.backlogBytes?.() ?? 0) < maxBytes;
  const releaseReaders = () => {
    while (waiting.length > 0 && hasRoom()) waiting.shift()?.();
  };
  queue.onDrain = releaseReaders;

  client.handleMessage = (packet: Packet, callback: (err?: Error) => void) => {
    const publish = packet as IPublishPacket;
    if (closing) return; // never acked: the broker redelivers after we are gone
    const receivedAt = new Date();
    const payload = publish.payload as Buffer;
    const ack =
      publish.qos === 1 && publish.messageId !== undefined ? queue.add(publish.messageId, receivedAt.getTime(), payload.length) : noAck;
    options.onMessage({ topic: publish.topic, payload, receivedAt, ack });
    if (hasRoom()) callback();
    else waiting.push(() => callback());
  };

  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  client.on('connect', (connack) => {
    log.info({ sessionPresent: connack.sessionPresent }, 'connected to broker');
    client.subscribe(options.topics, { qos: 1 }, (err) => {
      if (err) log.error({ err }, 'subscribe failed');
      else resolveReady();
    });
    if (options.optionalTopics?.length) {
      client.subscribe(options.optionalTopics, { qos: 0 }, (err) => {
        if (err) log.warn({ err, topics: options.optionalTopics }, 'optional subscription refused');
      });
    }
  });
  client.on('close', () => {
    if (queue.size > 0) log.warn({ unacked: queue.size }, 'broker connection closed: unacknowledged messages will be redelivered');
    queue.reset();
    // Readers waiting for room belong to the dead connection; let them finish so mqtt.js can move on.
    for (const release of waiting.splice(0)) release();
  });
  client.on('error', (err) => log.warn({ err }, 'mqtt error'));
  client.on('reconnect', () => log.debug('reconnecting to broker'));

  return {
    client,
    ready,
    unacked: () => queue.size,
    unackedBytes: () => queue.bytes,
    releaseReaders,
    oldestUnackedAgeMs: () => queue.oldestAgeMs(),
    pause() {
      closing = true;
    },
    async close() {
      closing = true;
      await client.endAsync(false);
    },
  };
}
