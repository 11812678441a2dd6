import type { Logger } from '@freiplatz/config';
import { commitIngestBatch, type Db, type IngestBatch } from '@freiplatz/db';
import { decodeMessage, INGEST_TOPICS } from '@freiplatz/domain';
import type { IClientOptions } from 'mqtt';
import { Batcher } from './batcher.js';
import { createIngestMetrics, type IngestMetrics } from './metrics.js';
import { createMqttConsumer, type MqttConsumer, toSubscriptionTopics } from './mqtt-consumer.js';
import { getSensorModelLookup } from './sensor-models.js';
import { createSourcePoller, type SourcePoller } from './sources/source-poller.js';
import { createStateSweeper } from './state-sweeper.js';

/** Topics of the MQTT contract (DESIGN §4): native bays and counters, TTS v3 and ChirpStack v4 uplinks. */
export const NATIVE_TOPICS: string[] = [...INGEST_TOPICS];

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
  /** How often facility state is re-evaluated against the clock (sensors going silent). */
  sweepIntervalMs?: number;
  /**
   * Commits one batch (default: `commitIngestBatch` on `db`, in this thread). `main.ts` passes a
   * commit thread's (commit-thread-client.ts), which keeps database round trips off this event loop.
   */
  commit?: (batch: IngestBatch) => Promise<{ inserted: number; duplicates: number }>;
  /** Polls the registry's sources (guidance systems); `env` holds their auth header values. */
  sources?: { env: Readonly<Record<string, string | undefined>>; requestTimeoutMs?: number };
  logger: Logger;
}

export interface IngestWorker {
  metrics: IngestMetrics;
  /** The source poller, when `sources` was given. */
  sources: SourcePoller | null;
  /** Resolves once subscribed. */
  ready: Promise<void>;
  /** Graceful stop: stop reading, commit and acknowledge what is in hand, disconnect (within `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

/** Starts consuming sensor messages into the database. */
export function createIngestWorker(options: IngestWorkerOptions): IngestWorker {
  const log = options.logger;
  let consumer: MqttConsumer | null = null;
  const metrics = createIngestMetrics({
    unacked: () => consumer?.unacked() ?? 0,
    oldestUnackedAgeMs: () => consumer?.oldestUnackedAgeMs() ?? 0,
  });
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
      consumer?.releaseReaders();
    },
  });
  consumer = createMqttConsumer({
    url: options.mqttUrl,
    clientId: options.clientId,
    topics: toSubscriptionTopics(NATIVE_TOPICS, options.shareGroup),
    protocolVersion: options.protocolVersion,
    maxUnacked: options.maxUnacked,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
    logger: log,
    backlog: () => batcher.size,
    onMessage: ({ topic, payload, receivedAt, ack }) => {
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
  const c = consumer;
  // Readings of polled sources enter the batcher like sensor messages: the same commits, retries and acks.
  const sources = options.sources
    ? createSourcePoller({
        db: options.db,
        logger: log,
        env: options.sources.env,
        ...(options.sources.requestTimeoutMs ? { requestTimeoutMs: options.sources.requestTimeoutMs } : {}),
        submit: (events) =>
          new Promise<void>((resolve) => {
            let left = events.length;
            if (left === 0) return resolve();
            for (const event of events) batcher.add({ event, ack: { ack: () => void (--left === 0 && resolve()) } });
          }),
      })
    : null;
  const sweeper = createStateSweeper({ db: options.db, intervalMs: options.sweepIntervalMs ?? 30_000, logger: log });
  // A full recount at start settles facility counts with the sensors' counted status (the basis of
  // the incremental updates per batch) and with the clock, whatever happened while no worker ran.
  const sweepStart = performance.now();
  void sweeper
    .sweep({ full: true })
    .then((changed) => log.info({ changed, ms: Math.round(performance.now() - sweepStart) }, 'facility state recounted at start'));
  return {
    metrics,
    sources,
    ready: c.ready,
    async stop(timeoutMs = 8000) {
      const deadline = Date.now() + timeoutMs;
      c.pause();
      await Promise.race([sources?.stop(), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()) / 2))]);
      await sweeper.stop();
      await batcher.flush(deadline);
      await Promise.race([c.close(), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
      c.client.end(true);
    },
  };
}
