import type { Logger } from '@freiplatz/config';
import type { Db } from '@freiplatz/db';
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';
import { ApiError } from '../errors.js';

export interface HealthRoutesOptions {
  db: Db;
  logger: Logger;
  readyTimeoutMs: number;
  /** The public per-client rate limit, in front of `/readyz` (it costs a database round trip). */
  limit: MiddlewareHandler<AppEnv>;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates `/healthz` (the process answers) and `/readyz` (the database answers, quickly). `/healthz`
 * is deliberately not rate-limited: orchestrators probe it often, and it touches nothing but the
 * process; `/readyz` reaches the database, so it spends the client's public rate-limit tokens.
 */
export function createHealthRoutes({ db, logger, readyTimeoutMs, limit }: HealthRoutesOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200, { 'Cache-Control': 'no-store' }));

  app.get('/readyz', limit, async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      await withTimeout(db.selectNoFrom((eb) => eb.lit(1).as('one')).execute(), readyTimeoutMs);
    } catch (err) {
      logger.warn({ err }, 'not ready: database check failed');
      throw new ApiError('NOT_READY', 'database not reachable');
    }
    return c.json({ status: 'ready' });
  });

  return app;
}
