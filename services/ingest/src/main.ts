import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { createLogger, ingestEnvSchema, parseEnv } from '@freiplatz/config';
import { createDb, migrate } from '@freiplatz/db';
import { createIngestWorker } from './worker.js';

const env = parseEnv(ingestEnvSchema, process.env);
const logger = createLogger({ level: env.LOG_LEVEL, name: 'ingest' });
if (!env.DATABASE_URL || !env.MQTT_URL) {
  logger.fatal('DATABASE_URL and MQTT_URL must be set (use `pnpm start` for embedded defaults)');
  process.exit(2);
}
await migrate(env.DATABASE_URL);
const db = createDb({ connectionString: env.DATABASE_URL, max: 4, applicationName: 'freiplatz-ingest' });
const worker = createIngestWorker({
  db,
  mqttUrl: env.MQTT_URL,
  clientId: env.MQTT_CLIENT_ID ?? `freiplatz-ingest-${hostname()}`.slice(0, 64),
  protocolVersion: env.MQTT_PROTOCOL_VERSION,
  ...(env.MQTT_USERNAME !== undefined ? { username: env.MQTT_USERNAME } : {}),
  ...(env.MQTT_PASSWORD !== undefined ? { password: env.MQTT_PASSWORD } : {}),
  batchSize: env.INGEST_BATCH_SIZE,
  flushMs: env.INGEST_FLUSH_MS,
  maxUnacked: env.INGEST_MAX_UNACKED,
  logger,
});
const metricsServer =
  env.INGEST_METRICS_PORT === undefined
    ? null
    : createServer((req, res) => {
        if (req.url !== '/metrics') {
          res.writeHead(404).end();
          return;
        }
        worker.metrics.registry.metrics().then(
          (body) => res.writeHead(200, { 'content-type': worker.metrics.registry.contentType }).end(body),
          () => res.writeHead(500).end(),
        );
      }).listen(env.INGEST_METRICS_PORT, '127.0.0.1');
await worker.ready;
logger.info('ingest worker subscribed');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: committing what is in hand');
  await worker.stop(8000);
  metricsServer?.close();
  await db.destroy();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
