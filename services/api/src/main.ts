import { apiEnvSchema, ConfigError, createLogger, parseEnv } from '@freiplatz/config';
import { assertMigrated, createDb, MigrationError } from '@freiplatz/db';
import { createApp } from './app.js';
import { whenAppReady } from './public-api.js';
import { startApiServer } from './server.js';

function readEnv() {
  try {
    return parseEnv(apiEnvSchema, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`freiplatz api: ${err.message}\n`);
    process.exit(2);
  }
}

const env = readEnv();
const logger = createLogger({
  level: env.LOG_LEVEL,
  name: 'api',
  pretty: (env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty',
});
const databaseUrl = env.DATABASE_URL;
if (!databaseUrl) {
  logger.fatal('DATABASE_URL must be set (or run `pnpm start`, which starts an embedded PostgreSQL, the ingest worker and the API)');
  process.exit(2);
}
const db = createDb({ connectionString: databaseUrl, max: 10, applicationName: 'freiplatz-api' });
const server = await (async () => {
  try {
    // The API never changes the schema (its database role may not): `pnpm db:migrate` does, as the owner.
    await assertMigrated(databaseUrl);
    const app = createApp({
      db,
      logger,
      databaseUrl,
      rateLimit: { ratePerSecond: env.API_RATE_LIMIT_RPS, burst: env.API_RATE_LIMIT_BURST },
      trustedProxies: env.API_TRUSTED_PROXIES,
      stream: { maxPerClient: env.API_STREAM_MAX_PER_CLIENT },
      metrics: { processMetrics: true },
      map: { tileUrl: env.MAP_TILE_URL === 'off' ? '' : env.MAP_TILE_URL, attribution: env.MAP_ATTRIBUTION },
      opsSessions: {
        secureCookies: env.OPS_SECURE_COOKIES,
        ...(env.OPS_SESSION_SECRET ? { sessionSecret: Buffer.from(env.OPS_SESSION_SECRET) } : {}),
      },
    });
    // Load the in-memory facility state first, so the first signage poll is already served from memory.
    await whenAppReady(app);
    return await startApiServer({ app, port: env.PORT, host: env.HOST });
  } catch (err) {
    if (err instanceof MigrationError) logger.fatal(err.message);
    else logger.fatal({ err }, 'start-up failed');
    await db.destroy();
    process.exit(1);
  }
})();
logger.info({ url: server.url }, 'api listening');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: finishing requests in flight');
  try {
    await server.close();
    await db.destroy();
    process.exit(0);
  } catch (err) {
    logger.error({ err }, 'unclean shutdown');
    process.exit(1);
  }
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
