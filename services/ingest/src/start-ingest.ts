import { hostname } from 'node:os';
import { ConfigError, type IngestEnv, type Logger } from '@freiplatz/config';
import { assertMigrated, createDb } from '@freiplatz/db';
import { startCommitThread } from './commit-thread-client.js';
import { type MetricsServer, startMetricsServer } from './metrics-server.js';
import { readMqttTlsOptions } from './mqtt-tls.js';
import { createIngestWorker, type IngestWorker } from './worker.js';

export interface IngestDeps {
  logger: Logger;
  /** Where the registry's polled sources find their auth header values (`process.env` in production). */
  processEnv: Readonly<Record<string, string | undefined>>;
}

export interface RunningIngest {
  worker: IngestWorker;
  /** Resolves once subscribed. */
  ready: Promise<void>;
  /** Stops reading, commits and acknowledges what is in hand, then closes the commit thread, metrics server and pool. */
  close(): Promise<void>;
}

/**
 * The ingest service's one composition root (`main.ts` and `pnpm start` alike): checks the schema,
 * starts the commit thread, the worker and its metrics server from the parsed environment. Throws
 * `ConfigError` for a configuration that cannot work and `MigrationError` for a schema behind.
 */
export async function startIngest(env: IngestEnv, deps: IngestDeps): Promise<RunningIngest> {
  const { logger } = deps;
  const databaseUrl = env.DATABASE_URL;
  const mqttUrl = env.MQTT_URL;
  if (!databaseUrl || !mqttUrl) throw new ConfigError('DATABASE_URL and MQTT_URL must be set (use `pnpm start` for embedded defaults)');
  const slots = env.INGEST_SLOTS;
  if (slots !== undefined && env.MQTT_SHARE_GROUP === undefined) {
    // Without a share group every slot would receive every message.
    throw new ConfigError('INGEST_SLOTS needs MQTT_SHARE_GROUP: slots are the members of one shared-subscription group');
  }
  const transport = readMqttTlsOptions({
    caFile: env.MQTT_CA_FILE,
    certFile: env.MQTT_CERT_FILE,
    keyFile: env.MQTT_KEY_FILE,
    rejectUnauthorized: env.MQTT_REJECT_UNAUTHORIZED,
  });
  // The worker never changes the schema (its database role may not): `pnpm db:migrate` does, as the owner.
  await assertMigrated(databaseUrl);
  // This pool serves the state sweeper; batches are committed by the commit thread's own pool.
  const db = createDb({ connectionString: databaseUrl, max: 2, applicationName: 'freiplatz-ingest' });
  const commitThread = startCommitThread({
    databaseUrl,
    poolSize: env.INGEST_COMMIT_CONCURRENCY + 1,
    applicationName: 'freiplatz-ingest-commit',
    // Room for the batches in flight (a few KiB per event while its parameters are rendered).
    maxHeapMiB: 32 + Math.ceil((env.INGEST_BATCH_SIZE * env.INGEST_COMMIT_CONCURRENCY) / 200),
    logger,
  });
  const clientId = env.MQTT_CLIENT_ID ?? `freiplatz-ingest-${hostname()}`.slice(0, 64);
  const worker = createIngestWorker({
    db,
    commit: (batch) => commitThread.commit(batch),
    mqttUrl,
    clientId,
    protocolVersion: env.MQTT_PROTOCOL_VERSION,
    ...(env.MQTT_USERNAME !== undefined ? { username: env.MQTT_USERNAME } : {}),
    ...(env.MQTT_PASSWORD !== undefined ? { password: env.MQTT_PASSWORD } : {}),
    transport,
    batchSize: env.INGEST_BATCH_SIZE,
    batchMaxBytes: env.INGEST_BATCH_MAX_BYTES,
    flushMs: env.INGEST_FLUSH_MS,
    minCommitIntervalMs: env.INGEST_COMMIT_INTERVAL_MS,
    minCommitItems: env.INGEST_COMMIT_MIN_EVENTS,
    maxUnacked: env.INGEST_MAX_UNACKED,
    maxUnackedBytes: env.INGEST_MAX_UNACKED_BYTES,
    retention: { ingestRejectsDays: env.INGEST_REJECTS_RETENTION_DAYS, auditLogDays: env.AUDIT_LOG_RETENTION_DAYS },
    commitConcurrency: env.INGEST_COMMIT_CONCURRENCY,
    eventsRetentionDays: env.EVENTS_RETENTION_DAYS,
    ...(env.MQTT_SHARE_GROUP !== undefined ? { shareGroup: env.MQTT_SHARE_GROUP } : {}),
    ...(slots !== undefined
      ? { slots: { list: slots, ...(slots.includes(clientId) ? { home: clientId } : {}), databaseUrl, pollMs: env.INGEST_SLOT_POLL_MS } }
      : {}),
    brokerStats: env.INGEST_BROKER_STATS,
    // Registry sources (guidance systems) are polled here; their auth header values come from the environment.
    sources: { env: deps.processEnv },
    logger,
  });
  if (slots !== undefined && !slots.includes(clientId)) {
    logger.info({ clientId, slots }, 'standby: no home slot, taking over the slots of workers that are away');
  }
  let metricsServer: MetricsServer | null = null;
  const close = async () => {
    await worker.stop(8000);
    await commitThread.close();
    await metricsServer?.close();
    await Promise.race([db.destroy(), new Promise((r) => setTimeout(r, 1000))]);
  };
  if (env.INGEST_METRICS_PORT !== undefined) {
    try {
      metricsServer = await startMetricsServer(worker.metrics.registry, env.INGEST_METRICS_PORT, env.INGEST_METRICS_HOST);
    } catch (err) {
      await close();
      throw err;
    }
  }
  return { worker, ready: worker.ready, close };
}
