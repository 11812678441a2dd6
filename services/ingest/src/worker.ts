import type { Logger } from '@freiplatz/config';
import { commitIngestBatch, type Db, type IngestBatch } from '@freiplatz/db';
import { decodeMessage, INGEST_TOPICS } from '@freiplatz/domain';
import type { IClientOptions } from 'mqtt';
import { Batcher } from './batcher.js';
import { createIngestMetrics, type IngestMetrics } from './metrics.js';
import { createMqttConsumer, toSubscriptionTopics } from './mqtt-consumer.js';
import { getSensorModelLookup } from './sensor-models.js';
import { type ConsumerSet, type SlotOptions, startConsumers } from './slot-consumers.js';
import { createStateSweeper } from './state-sweeper.js';

/** Topics of the MQTT contract (DESIGN §4): native bays and counters, TTS v3 and ChirpStack v4 uplinks. */
export const NATIVE_TOPICS: string[] = [...INGEST_TOPICS];

export type { SlotOptions } from './slot-consumers.js';

export interface IngestWorkerOptions {
  db: Db;
  mqttUrl: string;
  clientId: string;
  protocolVersion: 4 | 5;
  username?: string;
  password?: string;
  transport?: Partial<IClientOptions>;
  batchSize: number;
  flushMs: number;
  /** Least time between the starts of two commits unless `minCommitItems` wait (default 0: back to back). */
  minCommitIntervalMs?: number;
  /** Messages that start the next commit before that interval has passed (default: the batch size). */
  minCommitItems?: number;
  maxUnacked: number;
  /** Batches committed at the same time (default 2). */
  commitConcurrency?: number;
  /** MQTT 5 shared-subscription group: workers of one group split the messages between them. */
  shareGroup?: string;
  /**
   * Slots of the share group (docs/scale-out.md): each one a client id and broker account whose
   * session is consumed by whoever holds its lease, so a dead worker's share is taken over.
   * Without it the worker connects once, as `clientId`.
   */
  slots?: SlotOptions;
  /** How often facility state is re-evaluated against the clock (sensors going silent). */
  sweepIntervalMs?: number;
  /**
   * Commits one batch (default: `commitIngestBatch` on `db`, in this thread). `main.ts` passes a
   * commit thread's (commit-thread-client.ts), which keeps database round trips off this event loop.
   */
  commit?: (batch: IngestBatch) => Promise<{ inserted: number; duplicates: number }>;
  /** Subscribe to the broker's store statistics for the queue alerts (default true; docs/scale-out.md). */
  brokerStats?: boolean;
  logger: Logger;
}

/** Mosquitto's totals of messages and bytes it holds (queued for sessions included), every `sys_interval`. */
export const BROKER_STATS_TOPICS = ['$SYS/broker/store/messages/count', '$SYS/broker/store/messages/bytes'];

function readBrokerStat(metrics: IngestMetrics, topic: string, payload: Buffer): void {
  const value = Number(payload.toString());
  if (!Number.isFinite(value)) return;
  if (topic.endsWith('/count')) metrics.brokerStoredMessages.set(value);
  else metrics.brokerStoredBytes.set(value);
}

export interface IngestWorker {
  metrics: IngestMetrics;
  /** Resolves once subscribed. */
  ready: Promise<void>;
  /** Graceful stop: stop reading, commit and acknowledge what is in hand, disconnect (within `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

/** Starts consuming sensor messages into the database. */
export function createIngestWorker(options: IngestWorkerOptions): IngestWorker {
  const log = options.logger;
  let sessions: ConsumerSet | null = null;
  const each = () => sessions?.consumers.values() ?? [];
  const metrics = createIngestMetrics({
    unacked: () => [...each()].reduce((n, c) => n + c.unacked(), 0),
    oldestUnackedAgeMs: () => Math.max(0, ...[...each()].map((c) => c.oldestUnackedAgeMs())),
    slots: () => (options.slots?.list ?? []).map((slot) => [slot, sessions?.consumers.has(slot) ?? false] as const),
    takeovers: () => sessions?.takeovers() ?? 0,
  });
  const releaseReaders = () => {
    for (const c of each()) c.releaseReaders();
  };
  const commitBatch = options.commit ?? ((batch: IngestBatch) => commitIngestBatch(options.db, batch));
  const batcher = new Batcher({
    batchSize: options.batchSize,
    flushMs: options.flushMs,
    minCommitIntervalMs: options.minCommitIntervalMs ?? 0,
    ...(options.minCommitItems !== undefined ? { minCommitItems: options.minCommitItems } : {}),
    concurrency: options.commitConcurrency ?? 2,
    logger: log,
    onCommitError: () => metrics.commitFailures.inc(),
    commit: async (batch) => {
      const end = metrics.commitSeconds.startTimer();
      const result = await commitBatch(batch);
      end();
      metrics.batchSize.observe(batch.events.length + batch.rejects.length);
      metrics.committed.inc(result.inserted);
      metrics.duplicates.inc(result.duplicates);
      for (const r of batch.rejects) metrics.rejected.inc({ code: r.code });
      releaseReaders();
    },
  });
  const openConsumer = (clientId: string, username: string | undefined) =>
    createMqttConsumer({
      url: options.mqttUrl,
      clientId,
      topics: toSubscriptionTopics(NATIVE_TOPICS, options.shareGroup),
      ...(options.brokerStats === false ? {} : { optionalTopics: BROKER_STATS_TOPICS }),
      protocolVersion: options.protocolVersion,
      maxUnacked: options.maxUnacked,
      ...(username !== undefined ? { username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
      logger: log,
      backlog: () => batcher.size,
      onMessage: ({ topic, payload, receivedAt, ack }) => {
        if (topic.startsWith('$SYS/')) return readBrokerStat(metrics, topic, payload);
        metrics.received.inc();
        const decoded = decodeMessage(topic, payload, receivedAt, getSensorModelLookup(options.db, log).modelOf);
        if (decoded.ok) {
          batcher.add({ event: decoded.event, source: { topic, payload }, ack });
        } else {
          log.warn({ topic: topic.slice(0, 200), code: decoded.code, reason: decoded.reason }, 'payload rejected');
          batcher.add({ reject: { topic, payload, code: decoded.code, reason: decoded.reason, receivedAt }, ack });
        }
      },
    });
  sessions = startConsumers({
    open: openConsumer,
    clientId: options.clientId,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.slots ? { slots: options.slots } : {}),
    logger: log,
  });
  const s = sessions;
  const sweeper = createStateSweeper({ db: options.db, intervalMs: options.sweepIntervalMs ?? 30_000, logger: log });
  // A full recount at start settles facility counts with the sensors' counted status (the basis of
  // the incremental updates per batch) and with the clock, whatever happened while no worker ran.
  const sweepStart = performance.now();
  void sweeper
    .sweep({ full: true })
    .then((changed) => log.info({ changed, ms: Math.round(performance.now() - sweepStart) }, 'facility state recounted at start'));
  return {
    metrics,
    ready: s.ready,
    async stop(timeoutMs = 8000) {
      const deadline = Date.now() + timeoutMs;
      s.pause();
      await sweeper.stop();
      await batcher.flush(deadline);
      await s.close(deadline);
    },
  };
}
