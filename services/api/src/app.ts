import type { RequestListener } from 'node:http';
import { DEFAULT_MAP, type Logger } from '@freiplatz/config';
import type { Db } from '@freiplatz/db';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import { createNodeAdapter } from './answers/node-adapter.js';
import type { AppEnv } from './app-env.js';
import { ApiError, createErrorHandler, handleNotFound, renderError } from './errors.js';
import { type ApiMetricsOptions, createApiMetrics, createMetricsRoutes } from './metrics/api-metrics.js';
import { accessLog } from './middleware/access-log.js';
import { createKeyAuthenticator } from './middleware/auth/authenticate-key.js';
import { createFailureLimiter } from './middleware/auth/failure-limiter.js';
import { notModifiedHeaders } from './middleware/not-modified.js';
import { securityHeaders } from './middleware/security-headers.js';
import { createPublicApi, type PublicApiOptions } from './public-api.js';
import { createHealthRoutes } from './routes/health.js';
import { createOpsRoutes } from './routes/ops/index.js';
import { createWebRoutes } from './web/index.js';

export interface AppOptions extends PublicApiOptions {
  db: Db;
  logger: Logger;
  /** Clock for spot freshness; defaults to the system clock. */
  now?: () => Date;
  /** How long `/readyz` waits for the database; default 1000 ms. */
  readyTimeoutMs?: number;
  /** Map tiles of the public page; an empty `tileUrl` shows the list without a map. */
  map?: { tileUrl: string; attribution: string };
  /** Seconds without contact after which a signage page shows "–" (default 25). */
  signageStaleSeconds?: number;
  /** Operators' dashboard sessions: a secret shared by all replicas, and Secure cookies behind TLS. */
  opsSessions?: { sessionSecret?: Buffer; secureCookies?: boolean };
  /** Prometheus metrics at `/metrics` (requests, latency, streams, state lag); process metrics are opt-in. */
  metrics?: ApiMetricsOptions;
}

/** Largest request body any route accepts: above the registry import's own 5 MiB, a cap for every other route. */
export const MAX_REQUEST_BODY_BYTES = 6 * 1024 * 1024;
const BODYLESS_METHODS = new Set(['GET', 'HEAD']);

/** The HTTP API: one Hono app, the node:http listener in front of it, and the state they share. */
export interface ApiApp {
  /** The Hono app: `hono.request()` in tests, `hono.fetch` for any Fetch server. */
  readonly hono: Hono<AppEnv>;
  /**
   * The node:http request listener (`startApiServer` serves it): the prebuilt answers of the public
   * reads (signage, search, exports) straight onto the node response, everything else through Hono.
   * Made on first use, once `hono.fetch` is final.
   */
  readonly listener: RequestListener;
  /** Resolves once the in-memory facility state is loaded (await it before listening, so the first signage poll is served from memory). */
  ready(): Promise<void>;
  /** Releases what the app holds open (the LISTEN connection, timers, event streams). */
  close(): Promise<void>;
}

/** Creates the HTTP API; serve `listener` with `startApiServer`, or call `hono.request()` in tests. */
export function createApp({
  db,
  logger,
  now = () => new Date(),
  readyTimeoutMs = 1000,
  map = DEFAULT_MAP,
  signageStaleSeconds = 25,
  opsSessions = {},
  metrics: metricsOptions = {},
  ...publicApi
}: AppOptions): ApiApp {
  const app = new Hono<AppEnv>();
  const metrics = createApiMetrics(metricsOptions);
  // Outermost of all: counts every answer with its final status (the node adapter counts its own).
  app.use(metrics.middleware);
  // Then: a 304 leaves with only the fields a cache needs (see not-modified.ts).
  app.use(notModifiedHeaders);
  // Public reads: in-memory state, CORS open, rate-limited (see public-api.ts).
  const publicRoutes = createPublicApi({ db, logger, now, metrics, ...publicApi });
  // Honours a sane incoming X-Request-Id (word characters, - and =, ≤ 128) or makes one, and echoes it.
  app.use(requestId({ limitLength: 128 }));
  // No route takes more than this; larger bodies are refused before anyone reads them (public reads allow less).
  const limitBody = bodyLimit({
    maxSize: MAX_REQUEST_BODY_BYTES,
    onError: (c) => renderError(c, new ApiError('PAYLOAD_TOO_LARGE', `request body over ${MAX_REQUEST_BODY_BYTES} bytes`)),
  });
  // GET and HEAD Requests have no body (bodyLimit passes them anyway), and asking for one makes @hono/node-server build a full Request.
  app.use((c, next) => (BODYLESS_METHODS.has(c.req.method) ? next() : limitBody(c, next)));
  app.use(accessLog(logger));
  app.use(securityHeaders);
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        renderError(c, new ApiError('METHOD_NOT_ALLOWED', `method ${c.req.method} not allowed`), { Allow: methods.join(', ') }),
    }),
  );
  // The pages and /readyz spend the public API's per-client tokens (one budget per client).
  app.route('/', createHealthRoutes({ db, logger, readyTimeoutMs, limit: publicRoutes.limit }));
  app.route('/', createMetricsRoutes(metrics));
  // One key authentication for both doors (bearer API, dashboard sign-in): one failure count per client.
  const { clientKey } = publicRoutes;
  const authenticateKey = createKeyAuthenticator({ db, logger, limiter: createFailureLimiter({ limit: 10, windowMs: 60_000 }) });
  app.route('/v1/ops', createOpsRoutes({ db, logger, now, authenticateKey, clientKey }));
  app.route('/', publicRoutes.routes);
  app.route(
    '/',
    createWebRoutes({ db, map, signageStaleSeconds, now, ops: { ...opsSessions, authenticateKey, clientKey }, limit: publicRoutes.limit }),
  );
  app.onError(createErrorHandler(logger));
  app.notFound(handleNotFound);

  let listener: RequestListener | undefined;
  return {
    hono: app,
    get listener() {
      listener ??= createNodeAdapter({
        reads: publicRoutes.fastReads,
        fallback: getRequestListener(app.fetch, { hostname: 'localhost' }),
        take: publicRoutes.takeNode,
        count: metrics.countFastPath,
        logger,
      });
      return listener;
    },
    ready: publicRoutes.ready,
    close: publicRoutes.close,
  };
}
