import { type ApiEnv, ConfigError, type Logger } from '@freiplatz/config';
import { assertMigrated, createDb } from '@freiplatz/db';
import type { Hono } from 'hono';
import { createApp } from './app.js';
import type { AppEnv } from './app-env.js';
import { type ApiServer, startApiServer } from './server.js';

export interface ApiDeps {
  logger: Logger;
}

export interface RunningApi {
  hono: Hono<AppEnv>;
  /** Resolves with the listening server once the facility state is in memory (so the first signage poll is served from it). */
  ready: Promise<ApiServer>;
  /** Stops listening (letting requests in flight finish), ends the streams and closes the pool. */
  close(): Promise<void>;
}

/**
 * The API service's one composition root (`main.ts` and `pnpm start` alike): checks the schema,
 * builds the app from the parsed environment, loads the state, then listens. Throws `ConfigError`
 * without a database and `MigrationError` for a schema behind.
 */
export async function createApi(env: ApiEnv, { logger }: ApiDeps): Promise<RunningApi> {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    throw new ConfigError(
      'DATABASE_URL must be set (or run `pnpm start`, which starts an embedded PostgreSQL, the ingest worker and the API)',
    );
  }
  // The API never changes the schema (its database role may not): `pnpm db:migrate` does, as the owner.
  await assertMigrated(databaseUrl);
  const db = createDb({ connectionString: databaseUrl, max: 10, applicationName: 'freiplatz-api' });
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
  const ready = app.ready().then(() => startApiServer({ app, port: env.PORT, host: env.HOST }));
  return {
    hono: app.hono,
    ready,
    async close() {
      const server = await ready.catch(() => null);
      // The server closes the app's resources with its own; without one they are closed here.
      await (server ? server.close() : app.close());
      await db.destroy();
    },
  };
}
