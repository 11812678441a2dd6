import { ConfigError, createLogger, ingestEnvSchema, isPrettyFormat, parseEnvOrExit } from '@freiplatz/config';
import { MigrationError } from '@freiplatz/db';
import { type RunningIngest, startIngest } from './start-ingest.js';

const env = parseEnvOrExit(ingestEnvSchema, process.env, 'ingest');
const logger = createLogger({ level: env.LOG_LEVEL, name: 'ingest', pretty: isPrettyFormat(env.LOG_FORMAT) });
let ingest: RunningIngest;
try {
  ingest = await startIngest(env, { logger, processEnv: process.env });
} catch (err) {
  if (err instanceof ConfigError || err instanceof MigrationError) logger.fatal(err.message);
  else logger.fatal({ err }, 'cannot start');
  process.exit(2);
}
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: committing what is in hand');
  // The 10 s promise of a graceful stop holds even if a close hangs (e.g. a dead database).
  setTimeout(() => process.exit(1), 9500).unref();
  await ingest.close();
  logger.info('stopped');
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await ingest.ready;
logger.info('ingest worker subscribed');
