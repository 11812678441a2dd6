import { hostname } from 'node:os';
import { createLogger, ingestEnvSchema, parseEnv } from '@freiplatz/config';
import { assertMigrated, createDb, MigrationError } from '@freiplatz/db';
import { startCommitThread } from './commit-thread-client.js';
import { startMetricsServer } from './metrics-server.js';
import { readMqttTlsOptions } from './mqtt-tls.js';
import { createIngestWorker } from './worker.js';

const env = parseEnv(ingestEnvSchema, process.env);
const logger = createLogger({ level: env.LOG_LEVEL, name: 'ingest' });
if (!env.DATABASE_URL || !env.MQTT_URL) {
  logger.fatal('DATABASE_URL and MQTT_URL must be set (use `pnpm start` for embedded defaults)');
  process.exit(2);
}
if (env.INGEST_SLOTS !== undefined && env.MQTT_SHARE_GROUP === undefined) {
  // Without a share group every slot would receive every message.
  logger.fatal('INGEST_SLOTS needs MQTT_SHARE_GROUP: slots are the members of one shared-subscription group');
  process.exit(2);
}
let tls: ReturnType<typeof readMqttTlsOptions>;
try {
  tls = readMqttTlsOptions({
    caFile: env.MQTT_CA_FILE,
    certFile: env.MQTT_CERT_FILE,
    keyFile: env.MQTT_KEY_FILE,
    rejectUnauthorized: env.MQTT_REJECT_UNAUTHORIZED,
  });
} catch (err) {
  logger.fatal({ err }, 'MQTT TLS configuration');
  process.exit(2);
}
// The worker never changes the schema (its database role may not): `pnpm db:migrate` does, as the owner.
try {
  await assertMigrated(env.DATABASE_URL);
} catch (err) {
  if (err instanceof MigrationError) logger.fatal(err.message);
  else logger.fatal({ err }, 'cannot check the schema');
  process.exit(2);
}
// This pool serves the state sweeper; batches are committed by the commit thread's own pool.
const db = createDb({ connectionString: env.DATABASE_URL, max: 2, applicationName: 'freiplatz-ingest' });
const commitThread = startCommitThread({
  databaseUrl: env.DATABASE_URL,
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
  mqttUrl: env.MQTT_URL,
  clientId,
  protocolVersion: env.MQTT_PROTOCOL_VERSION,
  ...(env.MQTT_USERNAME !== undefined ? { username: env.MQTT_USERNAME } : {}),
  ...(env.MQTT_PASSWORD !== undefined ? { password: env.MQTT_PASSWORD } : {}),
  transport: tls,
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
  ...(env.INGEST_SLOTS !== undefined
    ? {
        slots: {
          list: env.INGEST_SLOTS,
          ...(env.INGEST_SLOTS.includes(clientId) ? { home: clientId } : {}),
          databaseUrl: env.DATABASE_URL,
          pollMs: env.INGEST_SLOT_POLL_MS,
        },
      }
    : {}),
  brokerStats: env.INGEST_BROKER_STATS,
  // Registry sources (guidance systems) are polled here; their auth header values come from the environment.
  sources: { env: process.env },
  logger,
});
if (env.INGEST_SLOTS !== undefined && !env.INGEST_SLOTS.includes(clientId)) {
  logger.info({ clientId, slots: env.INGEST_SLOTS }, 'standby: no home slot, taking over the slots of workers that are away');
}
const metricsServer =
  env.INGEST_METRICS_PORT === undefined
    ? null
    : await startMetricsServer(worker.metrics.registry, env.INGEST_METRICS_PORT, env.INGEST_METRICS_HOST);
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: committing what is in hand');
  // The 10 s promise of a graceful stop holds even if a close below hangs (e.g. a dead database).
  setTimeout(() => process.exit(1), 9500).unref();
  await worker.stop(8000);
  await commitThread.close();
  await metricsServer?.close();
  await Promise.race([db.destroy(), new Promise((r) => setTimeout(r, 1000))]);
  logger.info('stopped');
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await worker.ready;
logger.info('ingest worker subscribed');
