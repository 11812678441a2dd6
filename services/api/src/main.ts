import { apiEnvSchema, ConfigError, createLogger, isPrettyFormat, parseEnvOrExit } from '@freiplatz/config';
import { MigrationError } from '@freiplatz/db';
import { createApi } from './create-api.js';

const env = parseEnvOrExit(apiEnvSchema, process.env, 'api');
const logger = createLogger({
  level: env.LOG_LEVEL,
  name: 'api',
  pretty: isPrettyFormat(env.LOG_FORMAT),
});
const fail = (err: unknown): never => {
  if (err instanceof ConfigError) {
    logger.fatal(err.message);
    process.exit(2);
  }
  if (err instanceof MigrationError) logger.fatal(err.message);
  else logger.fatal({ err }, 'start-up failed');
  process.exit(1);
};
const api = await createApi(env, { logger }).catch(fail);
const server = await api.ready.catch(async (err: unknown) => {
  await api.close();
  return fail(err);
});
logger.info({ url: server.url }, 'api listening');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: finishing requests in flight');
  try {
    await api.close();
    process.exit(0);
  } catch (err) {
    logger.error({ err }, 'unclean shutdown');
    process.exit(1);
  }
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
