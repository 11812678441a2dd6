import type { Logger } from '@freiplatz/config';
import type { Db } from '@freiplatz/db';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../app-env.js';
import { type AuthenticateKey, createKeyAuthenticator } from '../../middleware/auth/authenticate-key.js';
import { bearerAuth } from '../../middleware/auth/bearer-auth.js';
import { createFailureLimiter } from '../../middleware/auth/failure-limiter.js';
import type { OpsEnv } from '../../middleware/auth/ops-env.js';
import { remoteAddress } from '../../middleware/rate-limit.js';
import { auditRoute, createOpsAuditRoutes } from './audit.js';
import { createOpsApp } from './ops-route.js';
import { closureRoute, createOpsRegistryRoutes, registryRoute } from './registry-writes.js';
import { createOpsRejectsRoutes, rejectsRoute } from './rejects.js';
import { createOpsSensorsRoutes, sensorDetailRoute, sensorListRoute } from './sensors.js';
import { createOpsSourcesRoutes, sourcesRoute } from './sources.js';
import { createOpsSummaryRoutes, summaryRoute } from './summary.js';

export { OPS_BASE_PATH } from './ops-route.js';

/** Every operator route's definition (paths below `OPS_BASE_PATH`), for the OpenAPI document. */
export const opsRouteDefinitions = [
  sensorListRoute,
  sensorDetailRoute,
  summaryRoute,
  rejectsRoute,
  auditRoute,
  registryRoute,
  closureRoute,
  sourcesRoute,
];

export interface OpsRoutesOptions {
  db: Db;
  logger: Logger;
  now: () => Date;
  /** The key authentication shared with the dashboard (`createApp` makes one); else one of its own. */
  authenticateKey?: AuthenticateKey;
  /** The client of a request (the forwarded one behind trusted proxies); default the TCP peer. */
  clientKey?: (c: Context<AppEnv>) => string;
  /** Without `authenticateKey`: failed authentications allowed per client per window before 429. Default 10 per minute. */
  authFailureLimit?: number;
  authFailureWindowMs?: number;
}

/** Creates the operator API (`/v1/ops/…`): every route needs a bearer API key. */
export function createOpsRoutes(options: OpsRoutesOptions): OpenAPIHono<OpsEnv> {
  const { db, now, logger } = options;
  const app = createOpsApp();
  const authenticateKey =
    options.authenticateKey ??
    createKeyAuthenticator({
      db,
      logger,
      limiter: createFailureLimiter({ limit: options.authFailureLimit ?? 10, windowMs: options.authFailureWindowMs ?? 60_000 }),
    });
  app.use(async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  app.use(bearerAuth({ db, logger, now, authenticateKey, clientKey: options.clientKey ?? remoteAddress }));
  app.route('/', createOpsSensorsRoutes({ db, now }));
  app.route('/', createOpsSummaryRoutes({ db, now }));
  app.route('/', createOpsRejectsRoutes({ db, now }));
  app.route('/', createOpsAuditRoutes({ db }));
  app.route('/', createOpsSourcesRoutes({ db, now }));
  app.route('/', createOpsRegistryRoutes({ db, now }));
  return app;
}
