import { baseEnvSchema, createLogger, parseEnv } from '@freiplatz/config';
import { migrate } from '../migrate.js';

const env = parseEnv(baseEnvSchema, process.env);
const logger = createLogger({ level: env.LOG_LEVEL, name: 'migrate' });
if (!env.DATABASE_URL) {
  logger.fatal('DATABASE_URL must be set (pnpm start migrates its embedded database by itself)');
  process.exit(2);
}
const result = await migrate(env.DATABASE_URL);
logger.info({ applied: result.applied, alreadyApplied: result.skipped.length }, 'migrations done');
