import type { Logger } from '@freiplatz/config';
import type { Db } from '@freiplatz/db';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './app-env.js';
import { ApiError, createErrorHandler, handleNotFound, renderError } from './errors.js';
import { accessLog } from './middleware/access-log.js';
import { createFacilitiesRoutes } from './routes/facilities.js';
import { createHealthRoutes } from './routes/health.js';

export interface AppOptions {
  db: Db;
  logger: Logger;
  /** Clock for spot freshness; defaults to the system clock. */
  now?: () => Date;
  /** How long `/readyz` waits for the database; default 1000 ms. */
  readyTimeoutMs?: number;
}

/** Creates the HTTP API as a Hono app; serve it with `startApiServer` or call `app.request()` in tests. */
export function createApp({ db, logger, now = () => new Date(), readyTimeoutMs = 1000 }: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Honours a sane incoming X-Request-Id (word characters, - and =, ≤ 128) or makes one, and echoes it.
  app.use(requestId({ limitLength: 128 }));
  app.use(accessLog(logger));
  app.use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }));
  app.use('/v1/*', cors({ origin: '*', allowMethods: ['GET', 'HEAD', 'OPTIONS'], exposeHeaders: ['ETag', 'X-Request-Id'], maxAge: 600 }));
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        renderError(c, new ApiError('METHOD_NOT_ALLOWED', `method ${c.req.method} not allowed`), { Allow: methods.join(', ') }),
    }),
  );
  app.route('/', createHealthRoutes({ db, logger, readyTimeoutMs }));
  app.route('/v1/facilities', createFacilitiesRoutes({ db, now }));
  app.onError(createErrorHandler(logger));
  app.notFound(handleNotFound);
  return app;
}
