import type { Logger } from '@freiplatz/config';
import type { MqttConsumer } from './mqtt-consumer.js';
import { createSlotLeases } from './session-lease.js';

export interface SlotOptions {
  /** Every slot's client id (= broker username), the same list in every worker. */
  list: string[];
  /** This worker's own slot (none: a standby that only takes over slots of workers that are away). */
  home?: string;
  /** Database of the leases (advisory locks on a connection of their own). */
  databaseUrl: string;
  pollMs?: number;
}

export interface ConsumerSet {
  /** Consumers by client id: one, or one per slot whose lease this worker holds. */
  readonly consumers: ReadonlyMap<string, MqttConsumer>;
  /** Resolves once the worker's own session is subscribed (at once for a standby). */
  ready: Promise<void>;
  /** Times a slot of another worker was taken over. */
  takeovers(): number;
  /** Stops taking messages on every connection (unacknowledged ones stay with the broker). */
  pause(): void;
  /** Disconnects every session, then gives up the leases; call after the batcher is flushed. */
  close(deadline: number): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function closeBy(consumer: MqttConsumer, deadline: number): Promise<void> {
  await Promise.race([consumer.close(), sleep(Math.max(0, deadline - Date.now()))]);
  consumer.client.end(true);
}

/**
 * The MQTT sessions a worker consumes: its one client id, or with slots (session-lease.ts) every
 * slot it holds the lease of. All feed the same batcher and commit path (worker.ts).
 */
export function startConsumers(options: {
  open: (clientId: string, username: string | undefined) => MqttConsumer;
  clientId: string;
  username?: string;
  slots?: SlotOptions;
  logger: Logger;
}): ConsumerSet {
  const consumers = new Map<string, MqttConsumer>();
  const slots = options.slots;
  if (slots === undefined) {
    const only = options.open(options.clientId, options.username);
    consumers.set(options.clientId, only);
    return {
      consumers,
      ready: only.ready,
      takeovers: () => 0,
      pause: () => only.pause(),
      close: (deadline) => closeBy(only, deadline),
    };
  }
  const home = slots.home;
  let takeovers = 0;
  let stopping = false;
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  if (home === undefined) resolveReady();
  const leases = createSlotLeases({
    connectionString: slots.databaseUrl,
    slots: slots.list,
    ...(home !== undefined ? { home } : {}),
    ...(slots.pollMs !== undefined ? { pollMs: slots.pollMs } : {}),
    logger: options.logger,
    onAcquire(slot) {
      if (stopping) return;
      // The slot's client id is its broker account (use_username_as_clientid in infra/mosquitto).
      const consumer = options.open(slot, slot);
      consumers.set(slot, consumer);
      if (slot === home) void consumer.ready.then(resolveReady);
      else takeovers += 1;
    },
    async onRelease(slot) {
      const consumer = consumers.get(slot);
      if (!consumer) return;
      // Stop reading, let what is in hand commit and be acknowledged, then leave: the rest stays
      // queued in the session for its home worker.
      consumer.pause();
      const deadline = Date.now() + 5000;
      while (consumer.unacked() > 0 && Date.now() < deadline) await sleep(20);
      await closeBy(consumer, deadline + 1000);
      consumers.delete(slot);
    },
    async onLost(lost) {
      // Another worker may take these leases now: drop the sessions at once (nothing in hand is acknowledged).
      for (const slot of lost) {
        const consumer = consumers.get(slot);
        consumer?.pause();
        consumer?.client.end(true);
        consumers.delete(slot);
      }
    },
  });
  return {
    consumers,
    ready,
    takeovers: () => takeovers,
    pause() {
      stopping = true;
      for (const c of consumers.values()) c.pause();
    },
    async close(deadline) {
      stopping = true;
      await Promise.all([...consumers.values()].map((c) => closeBy(c, deadline)));
      consumers.clear();
      await leases.close();
    },
  };
}
