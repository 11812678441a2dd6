import type { Logger } from '@freiplatz/config';
import type { Db } from '@freiplatz/db';
import { type Context, Hono } from 'hono';
import type { AppEnv } from '../../app-env.js';
import { type AuthenticateKey, createKeyAuthenticator } from '../../middleware/auth/authenticate-key.js';
import { bearerAuth } from '../../middleware/auth/bearer-auth.js';
import { createFailureLimiter } from '../../middleware/auth/failure-limiter.js';
import type { OpsEnv } from '../../middleware/auth/ops-env.js';
import { remoteAddress } from '../../middleware/rate-limit.js';
import { createOpsAuditRoutes } from './audit.js';
import { createOpsRegistryRoutes } from './registry-writes.js';
import { createOpsRejectsRoutes } from './rejects.js';
import { createOpsSensorsRoutes } from './sensors.js';
import { createOpsSummaryRoutes } from './summary.js';

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
export function createOpsRoutes(options: OpsRoutesOptions): Hono<OpsEnv> {
  const { db, now, logger } = options;
  const app = new Hono<OpsEnv>();
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
  app.route('/sensors', createOpsSensorsRoutes({ db, now }));
  app.route('/summary', createOpsSummaryRoutes({ db, now }));
  app.route('/rejects', createOpsRejectsRoutes({ db, now }));
  app.route('/audit', createOpsAuditRoutes({ db }));
  app.route('/', createOpsRegistryRoutes({ db, now }));
  return app;
}
