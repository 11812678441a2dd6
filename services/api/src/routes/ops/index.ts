import type { Logger } from '@freiplatz/config';
import type { Db } from '@freiplatz/db';
import { Hono } from 'hono';
import { bearerAuth } from '../../middleware/auth/bearer-auth.js';
import { createFailureLimiter } from '../../middleware/auth/failure-limiter.js';
import type { OpsEnv } from '../../middleware/auth/ops-env.js';
import { createOpsAuditRoutes } from './audit.js';
import { createOpsRegistryRoutes } from './registry-writes.js';
import { createOpsRejectsRoutes } from './rejects.js';
import { createOpsSensorsRoutes } from './sensors.js';
import { createOpsSourcesRoutes } from './sources.js';
import { createOpsSummaryRoutes } from './summary.js';

export interface OpsRoutesOptions {
  db: Db;
  logger: Logger;
  now: () => Date;
  /** Failed authentications allowed per client per window before 429. Default 10 per minute. */
  authFailureLimit?: number;
  authFailureWindowMs?: number;
}

/** Creates the operator API (`/v1/ops/…`): every route needs a bearer API key. */
export function createOpsRoutes(options: OpsRoutesOptions): Hono<OpsEnv> {
  const { db, now } = options;
  const app = new Hono<OpsEnv>();
  const limiter = createFailureLimiter({ limit: options.authFailureLimit ?? 10, windowMs: options.authFailureWindowMs ?? 60_000 });
  app.use(async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  app.use(bearerAuth({ db, logger: options.logger, now, limiter }));
  app.route('/sensors', createOpsSensorsRoutes({ db, now }));
  app.route('/summary', createOpsSummaryRoutes({ db, now }));
  app.route('/rejects', createOpsRejectsRoutes({ db, now }));
  app.route('/audit', createOpsAuditRoutes({ db }));
  app.route('/sources', createOpsSourcesRoutes({ db, now }));
  app.route('/', createOpsRegistryRoutes({ db, now }));
  return app;
}
