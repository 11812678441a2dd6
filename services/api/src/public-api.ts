import { DEFAULT_RATE_LIMIT, type Logger } from '@freiplatz/config';
import type { Db } from '@freiplatz/db';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { AppEnv } from './app-env.js';
import { ApiError, renderError } from './errors.js';
import { createExports } from './exports/exports.routes.js';
import { createRawReads, EXPOSED_HEADERS, type NodeFastPath } from './fast-path/raw-reads.js';
import { createSignageFastPath } from './fast-path/signage.js';
import type { ApiMetrics } from './metrics/api-metrics.js';
import { createClientKey, createForwardedKey, createTokenBuckets, rateLimit } from './middleware/rate-limit.js';
import { createDocsRoutes } from './routes/docs.js';
import { createFacilitiesRoutes } from './routes/facilities.js';
import { createHistoryRoutes } from './routes/history.js';
import { createStreamRoutes } from './routes/stream.js';
import { createSearchFastPath } from './search/search-fast-path.js';
import { createFacilityCache } from './state/facility-cache.js';
import { createChangeHub } from './stream/change-hub.js';

export interface PublicApiOptions {
  /**
   * Keeps availability in memory, current through LISTEN/NOTIFY on this database. Without it every
   * availability read checks the state version in the database.
   */
  databaseUrl?: string;
  /** Per client IP; default 50 requests/s sustained, bursts of 200 (hundreds of signs behind one NAT poll every few seconds). */
  rateLimit?: { ratePerSecond: number; burst: number };
  /** Addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` names the client (rate and failed-login limits). */
  trustedProxies?: readonly string[];
  /** `max-age` of the availability resource; default 5 s (stale-while-revalidate is 6×). */
  availabilityMaxAgeSeconds?: number;
  /** Full reload of the in-memory state; default 30 s. */
  resyncIntervalMs?: number;
  stream?: { keepAliveMs?: number; stallTimeoutMs?: number; maxClients?: number; maxPerClient?: number; ringSize?: number };
}

/** What `mountPublicApi` gives the app: the one per-client rate limit, and the call that mounts the routes. */
export interface PublicApi {
  /** The per-client token bucket of the public API, shared by the pages and `/readyz` (one limiter, one budget). */
  limit: MiddlewareHandler<AppEnv>;
  /** Who a request comes from (behind trusted proxies, the forwarded client): the rate limit's key, reused by the login limits. */
  clientKey: (c: Context<AppEnv>) => string;
  mountRoutes(): void;
}

/** Paths anyone may read from any origin ('/v1/facilities/*' also matches '/v1/facilities'). */
export const PUBLIC_PATHS = ['/v1/facilities/*', '/v1/stream', '/openapi.json', '/v1/exports/*', '/ngsi-ld/*'];
const MAX_PUBLIC_BODY_BYTES = 16 * 1024;
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

const closers = new WeakMap<object, () => Promise<void>>();
const readiness = new WeakMap<object, () => Promise<void>>();
const nodeHandlers = new WeakMap<object, NodeFastPath>();

/** The app's raw node:http fast path (signage GET, search), for `startApiServer` to run before Hono. */
export function nodeFastPathOf(app: object): NodeFastPath | undefined {
  return nodeHandlers.get(app);
}

/** Resolves once the app's in-memory facility state is loaded (call before listening to skip a cold first request). */
export async function whenAppReady(app: object): Promise<void> {
  await readiness.get(app)?.();
}

/** Releases what `createApp` holds open (the LISTEN connection, timers, streams). */
export async function closeApp(app: object): Promise<void> {
  await closers.get(app)?.();
}

/**
 * Adds the public API (search, availability, stream, history, forecast, docs) and its protection to
 * the app. Call it right after creating the app: it registers the signage fast path ahead of the
 * general middleware, and returns the function that mounts the routes where they belong.
 */
export function mountPublicApi(
  app: Hono<AppEnv>,
  options: PublicApiOptions & { db: Db; logger: Logger; now: () => Date; metrics: ApiMetrics },
): PublicApi {
  const { db, logger, now, databaseUrl, availabilityMaxAgeSeconds = 5 } = options;
  const cache = createFacilityCache({
    db,
    logger,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(options.resyncIntervalMs ? { resyncIntervalMs: options.resyncIntervalMs } : {}),
  });
  const hub = createChangeHub(cache, options.stream?.ringSize);
  options.metrics.watchState({
    streamClients: () => hub.clientCount,
    pendingFacilities: () => cache.pendingCount,
    listening: () => cache.listening,
  });
  readiness.set(app, cache.ready);
  closers.set(app, async () => {
    hub.close();
    await cache.close();
  });

  const buckets = createTokenBuckets(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const availabilityCacheControl = `public, max-age=${availabilityMaxAgeSeconds}, stale-while-revalidate=${availabilityMaxAgeSeconds * 6}`;
  const clientKey = createClientKey(options.trustedProxies);
  const forwardedKey = createForwardedKey(options.trustedProxies);
  const reads = createRawReads({
    buckets,
    clientKey,
    // node joins repeated X-Forwarded-For headers with ", ", as the Fetch Headers of the Hono path do.
    nodeClientKey: (req) => forwardedKey(req.socket.remoteAddress ?? 'unknown', req.headers['x-forwarded-for'] as string | undefined),
    logger,
    countFastPath: options.metrics.countFastPath,
  });
  const signage = createSignageFastPath(reads, cache, availabilityCacheControl);
  const search = createSearchFastPath(reads, cache);
  const exports = createExports({ db, cache, logger, now });
  const exportsFast = exports.fastPath(reads);
  app.get('/v1/facilities/:id/availability', signage.middleware);
  nodeHandlers.set(app, (req, res, next) => signage.handleNode(req, res, () => search(req, res, () => exportsFast(req, res, next))));

  const limit = rateLimit(buckets, clientKey);
  const mountRoutes = () => {
    const limitBody = bodyLimit({
      maxSize: MAX_PUBLIC_BODY_BYTES,
      onError: (c) => renderError(c, new ApiError('PAYLOAD_TOO_LARGE', `request body over ${MAX_PUBLIC_BODY_BYTES} bytes`)),
    });
    // Reads carry no body; skipping them matters: touching `req.raw.body` makes @hono/node-server build a full Request.
    const tooLarge: MiddlewareHandler<AppEnv> = (c, next) => (BODYLESS.has(c.req.method) ? next() : limitBody(c, next));
    const openCors = cors({
      origin: '*',
      allowMethods: ['GET', 'HEAD', 'OPTIONS'],
      exposeHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    });
    for (const path of PUBLIC_PATHS) app.use(path, openCors, limit, tooLarge);

    app.route('/v1/facilities', createFacilitiesRoutes({ db, cache, now, availabilityCacheControl }));
    app.route('/v1/facilities', createHistoryRoutes({ db, cache, now }));
    app.route('/v1/stream', createStreamRoutes({ cache, hub, clientKey, ...options.stream }));
    app.route('/', exports.routes);
    app.route('/', createDocsRoutes());
  };
  return { limit, clientKey, mountRoutes };
}
