import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

/** Prometheus metrics of one ingest worker, on their own registry. */
export function createIngestMetrics(gauges: {
  unacked: () => number;
  unackedBytes: () => number;
  oldestUnackedAgeMs: () => number;
  /** Each slot of the share group and whether this worker consumes it now (slot-consumers.ts). */
  slots?: () => ReadonlyArray<readonly [string, boolean]>;
  takeovers?: () => number;
}) {
  const registry = new Registry();
  const registers = [registry];
  // Process memory, CPU, event-loop lag and GC: what an operator checks first when ingest slows down.
  collectDefaultMetrics({ register: registry, prefix: 'freiplatz_ingest_' });
  return {
    registry,
    received: new Counter({ name: 'freiplatz_ingest_received_total', help: 'MQTT messages received', registers }),
    committed: new Counter({ name: 'freiplatz_ingest_committed_total', help: 'Events newly stored', registers }),
    duplicates: new Counter({ name: 'freiplatz_ingest_duplicates_total', help: 'Events already stored (redeliveries)', registers }),
    rejected: new Counter({
      name: 'freiplatz_ingest_rejected_total',
      help: 'Payloads sent to the dead-letter table',
      labelNames: ['code'],
      registers,
    }),
    commitFailures: new Counter({
      name: 'freiplatz_ingest_commit_failures_total',
      help: 'Batch commits that failed and were retried',
      registers,
    }),
    batchSize: new Histogram({
      name: 'freiplatz_ingest_batch_size',
      help: 'Messages per committed batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000],
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'freiplatz_ingest_commit_seconds',
      help: 'Batch commit latency',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    unacked: new Gauge({
      name: 'freiplatz_ingest_unacked_messages',
      help: 'Messages received and not yet acknowledged',
      registers,
      collect() {
        this.set(gauges.unacked());
      },
    }),
    unackedBytes: new Gauge({
      name: 'freiplatz_ingest_unacked_bytes',
      help: 'Payload bytes of the messages received and not yet acknowledged',
      registers,
      collect() {
        this.set(gauges.unackedBytes());
      },
    }),
    oldestUnacked: new Gauge({
      name: 'freiplatz_ingest_oldest_unacked_seconds',
      help: 'Age of the oldest unacknowledged message',
      registers,
      collect() {
        this.set(gauges.oldestUnackedAgeMs() / 1000);
      },
    }),
    slotHeld: new Gauge({
      name: 'freiplatz_ingest_slot_held',
      help: 'Slots of the share group whose session this worker consumes (1) or not (0); summed over workers, each slot should be 1',
      labelNames: ['slot'],
      registers,
      collect() {
        for (const [slot, held] of gauges.slots?.() ?? []) this.set({ slot }, held ? 1 : 0);
      },
    }),
    slotTakeovers: new Gauge({
      name: 'freiplatz_ingest_slot_takeovers',
      help: 'Slots of workers that were away taken over by this worker since it started',
      registers,
      collect() {
        this.set(gauges.takeovers?.() ?? 0);
      },
    }),
    brokerStoredMessages: new Gauge({
      name: 'freiplatz_broker_store_messages',
      help: 'Messages held by the broker (Mosquitto $SYS/broker/store/messages/count): queued for sessions, in flight, retained',
      registers,
    }),
    brokerStoredBytes: new Gauge({
      name: 'freiplatz_broker_store_bytes',
      help: 'Payload bytes held by the broker (Mosquitto $SYS/broker/store/messages/bytes)',
      registers,
    }),
  };
}
