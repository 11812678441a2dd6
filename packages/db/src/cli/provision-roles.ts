import { ConfigError, createLogger, dbRolesEnvSchema, parseEnv } from '@freiplatz/config';
import { provisionRoles } from '../roles.js';

// `pnpm db:roles`: creates or updates the services' database roles (packages/db/src/roles.ts) as the
// schema owner. Run it after `pnpm db:migrate`; it is idempotent and also rotates the passwords.
let env: ReturnType<typeof parseEnv<typeof dbRolesEnvSchema>>;
try {
  env = parseEnv(dbRolesEnvSchema, process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`freiplatz db:roles: ${err.message}\n`);
  process.exit(2);
}
const logger = createLogger({ level: env.LOG_LEVEL, name: 'db-roles' });
if (!env.DATABASE_URL) {
  logger.fatal('DATABASE_URL must be set to the schema owner (the role that ran pnpm db:migrate)');
  process.exit(2);
}
const result = await provisionRoles(env.DATABASE_URL, {
  passwords: { api: env.API_DB_PASSWORD, ingest: env.INGEST_DB_PASSWORD },
});
if (result.missing.length > 0) logger.warn({ missing: result.missing }, 'relations not in this database (run pnpm db:migrate first)');
logger.info({ created: result.created, updated: result.updated }, 'database roles provisioned');
