import type { Logger } from '@freiplatz/config';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';

/** Logs each request at debug level (method, path, status, duration); costs nothing when debug is off. */
export function accessLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    if (!logger.isLevelEnabled('debug')) return;
    const ms = Math.round((performance.now() - start) * 10) / 10;
    logger.debug({ requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request');
  };
}
