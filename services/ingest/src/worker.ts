import {
  DEFAULT_BATCH_MAX_BYTES,
  DEFAULT_COMMIT_CONCURRENCY,
  DEFAULT_MAX_UNACKED_BYTES,
  DEFAULT_RETENTION,
  type Logger,
} from '@freiplatz/config';
import { commitIngestBatch, type Db, type IngestBatch, toReject } from '@freiplatz/db';
import { decodeMessage, INGEST_TOPICS } from '@freiplatz/domain';
import type { IClientOptions } from 'mqtt';
import { Batcher } from './batcher.js';
import { createIngestMetrics, type IngestMetrics } from './metrics.js';
import { createMqttConsumer, type ReceivedMessage, toSubscriptionTopics } from './mqtt-consumer.js';
import { createRejectLog } from './reject-log.js';
import { createSensorDirectoryLookup } from './sensor-directory.js';
import { type ConsumerSet, type SlotOptions, startConsumers } from './slot-consumers.js';
import { createSourcePoller, type SourcePoller } from './sources/source-poller.js';
import { createStateSweeper, type RetentionOptions } from './state-sweeper.js';

/** Topics of the MQTT contract (README.md, "MQTT topics and payloads"): native bays and counters, TTS v3 and ChirpStack v4 uplinks. */
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
  /** Payload bytes a batch holds at most (default INGEST_BATCH_MAX_BYTES's). */
  batchMaxBytes?: number;
  flushMs: number;
  /** Least time between the starts of two commits unless `minCommitItems` wait (default 0: back to back). */
  minCommitIntervalMs?: number;
  /** Messages that start the next commit before that interval has passed (default: the batch size). */
  minCommitItems?: number;
  maxUnacked: number;
  /** Payload bytes of unacknowledged messages before reading pauses (default INGEST_MAX_UNACKED_BYTES's). */
  maxUnackedBytes?: number;
  /** Batches committed at the same time (default INGEST_COMMIT_CONCURRENCY's). */
  commitConcurrency?: number;
  /** MQTT 5 shared-subscription group: workers of one group split the messages between them. */
  shareGroup?: string;
  /**
   * Slots of the share group (docs/scale-out.md): each one a client id and broker account whose
   * session is consumed by whoever holds its lease, so a dead worker's share is taken over.
   * Without it the worker connects once, as `clientId`.
   */
  slots?: SlotOptions;
  /** How often facility state is re-evaluated against the clock (sensors going silent, opening hours). */
  sweepIntervalMs?: number;
  /** Days raw occupancy events are kept (default EVENTS_RETENTION_DAYS's); history aggregates are kept. */
  eventsRetentionDays?: number;
  /** Old dead letters and audit entries deleted by the periodic sweep (defaults in packages/config/src/defaults.ts). */
  retention?: RetentionOptions;
  /** Rejected messages are logged as one line of counts per this interval (default 30 s). */
  rejectLogIntervalMs?: number;
  /**
   * Commits one batch (default: `commitIngestBatch` on `db`, in this thread). `main.ts` passes a
   * commit thread's (commit-thread-client.ts), which keeps database round trips off this event loop.
   */
  commit?: (batch: IngestBatch) => Promise<{ inserted: number; duplicates: number }>;
  /** Subscribe to the broker's store statistics for the queue alerts (default true; docs/scale-out.md). */
  brokerStats?: boolean;
  /** Polls the registry's sources (guidance systems); `env` holds their auth header values. */
  sources?: { env: Readonly<Record<string, string | undefined>>; requestTimeoutMs?: number };
  logger: Logger;
}

/** Mosquitto's totals of messages and bytes it holds (queued for sessions included), every `sys_interval`. */
export const BROKER_STATS_TOPICS = ['$SYS/broker/store/messages/count', '$SYS/broker/store/messages/bytes'];

function readBrokerStat(metrics: IngestMetrics, topic: string, payload: Uint8Array): void {
  const value = Number(Buffer.from(payload).toString());
  if (!Number.isFinite(value)) return;
  if (topic.endsWith('/count')) metrics.brokerStoredMessages.set(value);
  else metrics.brokerStoredBytes.set(value);
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
  let sessions: ConsumerSet | null = null;
  const each = () => sessions?.consumers.values() ?? [];
  const metrics = createIngestMetrics({
    unacked: () => [...each()].reduce((n, c) => n + c.unacked(), 0),
    unackedBytes: () => [...each()].reduce((n, c) => n + c.unackedBytes(), 0),
    oldestUnackedAgeMs: () => Math.max(0, ...[...each()].map((c) => c.oldestUnackedAgeMs())),
    slots: () => (options.slots?.list ?? []).map((slot) => [slot, sessions?.consumers.has(slot) ?? false] as const),
    takeovers: () => sessions?.takeovers() ?? 0,
  });
  const releaseReaders = () => {
    for (const c of each()) c.releaseReaders();
  };
  const commitBatch = options.commit ?? ((batch: IngestBatch) => commitIngestBatch(options.db, batch));
  const sensors = createSensorDirectoryLookup({ db: options.db, logger: log });
  const rejectLog = createRejectLog(log, options.rejectLogIntervalMs ?? 30_000);
  const batcher = new Batcher({
    batchSize: options.batchSize,
    batchMaxBytes: options.batchMaxBytes ?? DEFAULT_BATCH_MAX_BYTES,
    flushMs: options.flushMs,
    minCommitIntervalMs: options.minCommitIntervalMs ?? 0,
    ...(options.minCommitItems !== undefined ? { minCommitItems: options.minCommitItems } : {}),
    concurrency: options.commitConcurrency ?? DEFAULT_COMMIT_CONCURRENCY,
    logger: log,
    onCommitError: () => metrics.commitFailures.inc(),
    commit: async (batch) => {
      const end = metrics.commitSeconds.startTimer();
      const result = await commitBatch(batch);
      end();
      metrics.batchSize.observe(batch.bay.n + batch.device.length + batch.rejects.length);
      metrics.committed.inc(result.inserted);
      metrics.duplicates.inc(result.duplicates);
      for (const r of batch.rejects) metrics.rejected.inc({ code: r.code });
      releaseReaders();
    },
  });
  const handle = (m: ReceivedMessage, retried: boolean): void => {
    const { topic, payload, receivedAt, ack } = m;
    const decoded = decodeMessage(topic, payload, receivedAt, sensors.directory);
    if (decoded.ok) {
      batcher.add({ event: decoded.event, source: { topic, payload }, ack });
      return;
    }
    if (decoded.code === 'UNKNOWN_DEVICE' && !retried) {
      // Perhaps registered since the last load: decode once more after a reload (at most every few seconds).
      const reload = sensors.reloading() ?? (sensors.mayReload() ? sensors.refresh() : null);
      if (reload) {
        void reload.then(() => handle(m, true));
        return;
      }
    }
    rejectLog.note(topic, decoded.code, decoded.reason);
    // The dead letter keeps 1 KiB of the payload with its size and hash; the message itself is let go.
    batcher.add({ reject: toReject({ topic, payload, code: decoded.code, reason: decoded.reason, receivedAt }), ack });
  };
  let sensorsLoaded = false;
  void sensors.loaded.then(() => {
    sensorsLoaded = true;
  });
  // Each session (one, or one per slot held: slot-consumers.ts) has its own unacknowledged window;
  // all feed this batcher, whose size and bytes count against every window.
  const openConsumer = (clientId: string, username: string | undefined) =>
    createMqttConsumer({
      url: options.mqttUrl,
      clientId,
      topics: toSubscriptionTopics(NATIVE_TOPICS, options.shareGroup),
      ...(options.brokerStats === false ? {} : { optionalTopics: BROKER_STATS_TOPICS }),
      protocolVersion: options.protocolVersion,
      maxUnacked: options.maxUnacked,
      maxUnackedBytes: options.maxUnackedBytes ?? DEFAULT_MAX_UNACKED_BYTES,
      ...(username !== undefined ? { username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
      logger: log,
      backlog: () => batcher.size,
      backlogBytes: () => batcher.bytes,
      onMessage: (m) => {
        if (m.topic.startsWith('$SYS/')) return readBrokerStat(metrics, m.topic, m.payload);
        metrics.received.inc();
        // Bindings and kinds are checked against the registry: the first messages wait for its first load.
        if (sensorsLoaded) handle(m, false);
        else void sensors.loaded.then(() => handle(m, false));
      },
    });
  sessions = startConsumers({
    open: openConsumer,
    clientId: options.clientId,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.slots ? { slots: options.slots } : {}),
    logger: log,
  });
  const c = sessions;
  const sweeper = createStateSweeper({
    db: options.db,
    intervalMs: options.sweepIntervalMs ?? 30_000,
    logger: log,
    ...(options.eventsRetentionDays === undefined ? {} : { eventsRetentionDays: options.eventsRetentionDays }),
    retention: options.retention ?? DEFAULT_RETENTION,
  });
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
      sensors.close();
      await sweeper.stop();
      await batcher.flush(deadline);
      rejectLog.close();
      await c.close(deadline);
    },
  };
}
