import type { IncomingMessage } from 'node:http';
import { DEFAULT_RATE_LIMIT, type Logger } from '@freiplatz/config';
import type { Db } from '@freiplatz/db';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { FastRead } from './answers/node-adapter.js';
import { EXPOSED_HEADERS } from './answers/public-headers.js';
import type { AppEnv } from './app-env.js';
import { ApiError, renderError } from './errors.js';
import { createExports } from './exports/exports.routes.js';
import type { ApiMetrics } from './metrics/api-metrics.js';
import { createClientKey, createForwardedKey, createTokenBuckets, rateLimit } from './middleware/rate-limit.js';
import { availabilityFastRead, createAvailabilityRoutes } from './routes/availability.js';
import { createDocsRoutes } from './routes/docs.js';
import { createFacilitiesRoutes } from './routes/facilities.js';
import { createHistoryRoutes } from './routes/history.js';
import { createStreamRoutes } from './routes/stream.js';
import { createSearchAnswers, searchFastRead } from './search/search-answer.js';
import { createFacilityCache } from './state/facility-cache.js';
import { availabilityCacheControl } from './state/facility-entry.js';
import { createChangeHub } from './stream/change-hub.js';

export interface PublicApiOptions {
  /**
   * Keeps availability in memory, current through LISTEN/NOTIFY on this database. Without it every
   * availability read checks the state version in the database.
   */
  databaseUrl?: string;
  /** Per client IP; default `DEFAULT_RATE_LIMIT` (packages/config/src/defaults.ts). */
  rateLimit?: { ratePerSecond: number; burst: number };
  /** Addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` names the client (rate and failed-login limits). */
  trustedProxies?: readonly string[];
  /** `max-age` of the availability resource; default 5 s (stale-while-revalidate is 6×). */
  availabilityMaxAgeSeconds?: number;
  /** Full reload of the in-memory state; default 30 s. */
  resyncIntervalMs?: number;
  stream?: { keepAliveMs?: number; stallTimeoutMs?: number; maxClients?: number; maxPerClient?: number; ringSize?: number };
}

/** The public API's part of the app: its routes, its protection (shared with the pages), its raw node reads. */
export interface PublicApi {
  /** The routes, behind open CORS, the per-client rate limit and a small body limit on `PUBLIC_PATHS`. */
  routes: Hono<AppEnv>;
  /** The per-client token bucket of the public API, shared by the pages and `/readyz` (one limiter, one budget). */
  limit: MiddlewareHandler<AppEnv>;
  /** Who a request comes from (behind trusted proxies, the forwarded client): the rate limit's key, reused by the login limits. */
  clientKey: (c: Context<AppEnv>) => string;
  /** What the raw node path may answer (signage, search, exports): answers/node-adapter.ts. */
  fastReads: readonly FastRead[];
  /** The same rate limit for a raw node request: spends its client's token; false when over. */
  takeNode(req: IncomingMessage): boolean;
  /** Resolves once the in-memory facility state is loaded. */
  ready(): Promise<void>;
  /** Releases the LISTEN connection, timers and event streams. */
  close(): Promise<void>;
}

/** Paths anyone may read from any origin ('/v1/facilities/*' also matches '/v1/facilities'). */
export const PUBLIC_PATHS = ['/v1/facilities/*', '/v1/stream', '/openapi.json', '/v1/exports/*', '/ngsi-ld/*'];
const MAX_PUBLIC_BODY_BYTES = 16 * 1024;
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Creates the public API (search, availability, stream, history, forecast, exports, docs) over one in-memory facility state. */
export function createPublicApi(options: PublicApiOptions & { db: Db; logger: Logger; now: () => Date; metrics: ApiMetrics }): PublicApi {
  const { db, logger, now, databaseUrl, availabilityMaxAgeSeconds } = options;
  const cache = createFacilityCache({
    db,
    logger,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(options.resyncIntervalMs ? { resyncIntervalMs: options.resyncIntervalMs } : {}),
    ...(availabilityMaxAgeSeconds === undefined ? {} : { availabilityCacheControl: availabilityCacheControl(availabilityMaxAgeSeconds) }),
  });
  const hub = createChangeHub(cache, options.stream?.ringSize);
  options.metrics.watchState({
    streamClients: () => hub.clientCount,
    pendingFacilities: () => cache.pendingCount,
    listening: () => cache.listening,
  });

  const buckets = createTokenBuckets(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const clientKey = createClientKey(options.trustedProxies);
  const forwardedKey = createForwardedKey(options.trustedProxies);
  const limit = rateLimit(buckets, clientKey);
  const limitBody = bodyLimit({
    maxSize: MAX_PUBLIC_BODY_BYTES,
    onError: (c) => renderError(c, new ApiError('PAYLOAD_TOO_LARGE', `request body over ${MAX_PUBLIC_BODY_BYTES} bytes`)),
  });
  // Reads carry no body; skipping them matters: touching `req.raw.body` makes @hono/node-server build a full Request.
  const tooLarge: MiddlewareHandler<AppEnv> = (c, next) => (BODYLESS.has(c.req.method) ? next() : limitBody(c, next));
  const openCors = cors({ origin: '*', allowMethods: ['GET', 'HEAD', 'OPTIONS'], exposeHeaders: EXPOSED_HEADERS, maxAge: 600 });
  const exports = createExports({ db, cache, logger, now });
  const search = createSearchAnswers();

  const routes = new Hono<AppEnv>();
  for (const path of PUBLIC_PATHS) routes.use(path, openCors, limit, tooLarge);
  routes.route('/v1/facilities', createFacilitiesRoutes({ db, cache, now, search }));
  routes.route('/v1/facilities', createAvailabilityRoutes(cache));
  routes.route('/v1/facilities', createHistoryRoutes({ db, cache, now }));
  routes.route('/v1/stream', createStreamRoutes({ cache, hub, clientKey, ...options.stream }));
  routes.route('/', exports.routes);
  routes.route('/', createDocsRoutes());

  return {
    routes,
    limit,
    clientKey,
    fastReads: [availabilityFastRead(cache), searchFastRead(cache, search), exports.fastRead],
    // node joins repeated X-Forwarded-For headers with ", ", as the Fetch Headers of the Hono path do.
    takeNode: (req) =>
      buckets.take(forwardedKey(req.socket.remoteAddress ?? 'unknown', req.headers['x-forwarded-for'] as string | undefined)) === 0,
    ready: cache.ready,
    async close() {
      hub.close();
      await cache.close();
    },
  };
}
