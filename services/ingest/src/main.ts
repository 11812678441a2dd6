import { hostname } from 'node:os';
import { createLogger, ingestEnvSchema, parseEnv } from '@freiplatz/config';
import { createDb, migrate } from '@freiplatz/db';
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
await migrate(env.DATABASE_URL);
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
const worker = createIngestWorker({
  db,
  commit: (batch) => commitThread.commit(batch),
  mqttUrl: env.MQTT_URL,
  clientId: env.MQTT_CLIENT_ID ?? `freiplatz-ingest-${hostname()}`.slice(0, 64),
  protocolVersion: env.MQTT_PROTOCOL_VERSION,
  ...(env.MQTT_USERNAME !== undefined ? { username: env.MQTT_USERNAME } : {}),
  ...(env.MQTT_PASSWORD !== undefined ? { password: env.MQTT_PASSWORD } : {}),
  transport: tls,
  batchSize: env.INGEST_BATCH_SIZE,
  flushMs: env.INGEST_FLUSH_MS,
  minCommitIntervalMs: env.INGEST_COMMIT_INTERVAL_MS,
  minCommitItems: env.INGEST_COMMIT_MIN_EVENTS,
  maxUnacked: env.INGEST_MAX_UNACKED,
  commitConcurrency: env.INGEST_COMMIT_CONCURRENCY,
  ...(env.MQTT_SHARE_GROUP !== undefined ? { shareGroup: env.MQTT_SHARE_GROUP } : {}),
  // Registry sources (guidance systems) are polled here; their auth header values come from the environment.
  sources: { env: process.env },
  logger,
});
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
