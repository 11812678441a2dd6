import { Hono, type MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AppEnv } from '../app-env.js';

/** The public reads the node adapter answers itself (services/api/src/answers/node-adapter.ts): counted, not timed, to keep them cheap. */
export type FastPathRoute = 'availability' | 'search';

/** What the gauges read when Prometheus scrapes (nothing is sampled in between). */
export interface StateSources {
  streamClients(): number;
  /** Facilities announced with a newer state version than the one in memory. */
  pendingFacilities(): number;
  /** False while the in-memory state has no LISTEN in place (every read then asks the database). */
  listening(): boolean;
}

export interface ApiMetrics {
  readonly registry: Registry;
  /** Counts and times every request Hono answers, by route pattern (never the concrete path), method and status. */
  readonly middleware: MiddlewareHandler<AppEnv>;
  /** One counter increment per response of the node adapter. */
  countFastPath(route: FastPathRoute): void;
  watchState(sources: StateSources): void;
}

export interface ApiMetricsOptions {
  /** Also export process memory, CPU, event-loop lag and GC (the production entry point turns it on). */
  processMetrics?: boolean;
}

/** Prometheus metrics of one API process, on their own registry (as the ingest worker's, services/ingest/src/metrics.ts). */
export function createApiMetrics({ processMetrics = false }: ApiMetricsOptions = {}): ApiMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix: 'freiplatz_api_' });
  let sources: StateSources | null = null;
  const requests = new Counter({
    name: 'freiplatz_api_requests_total',
    help: 'HTTP requests answered by the app, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'],
    registers,
  });
  const seconds = new Histogram({
    name: 'freiplatz_api_request_duration_seconds',
    help: 'Time to answer (for streams: to open), by route pattern',
    labelNames: ['route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  // Plain numbers on the hot path; Prometheus reads them when it scrapes.
  const fastPathCounts: Record<FastPathRoute, number> = { availability: 0, search: 0 };
  const fastPathRoutes: Record<FastPathRoute, string> = { availability: '/v1/facilities/:id/availability', search: '/v1/facilities' };
  new Counter({
    name: 'freiplatz_api_fast_path_responses_total',
    help: 'Responses of the raw node fast paths (signage availability, plain search), not in freiplatz_api_requests_total',
    labelNames: ['route'],
    registers,
    collect() {
      this.reset();
      for (const route of ['availability', 'search'] as const) this.inc({ route: fastPathRoutes[route] }, fastPathCounts[route]);
    },
  });
  new Gauge({
    name: 'freiplatz_api_stream_clients',
    help: 'Open server-sent event streams',
    registers,
    collect() {
      this.set(sources?.streamClients() ?? 0);
    },
  });
  new Gauge({
    name: 'freiplatz_api_state_version_lag_facilities',
    help: 'Facilities whose newer state version was announced (NOTIFY) but is not loaded in memory yet',
    registers,
    collect() {
      this.set(sources?.pendingFacilities() ?? 0);
    },
  });
  new Gauge({
    name: 'freiplatz_api_state_listening',
    help: '1 while the in-memory state is kept current by LISTEN/NOTIFY',
    registers,
    collect() {
      this.set(sources?.listening() ? 1 : 0);
    },
  });
  return {
    registry,
    async middleware(c, next) {
      const start = performance.now();
      await next();
      const route = routePath(c) || 'unmatched';
      requests.inc({ route, method: c.req.method, status: String(c.res.status) });
      seconds.observe({ route }, (performance.now() - start) / 1000);
    },
    countFastPath: (route) => {
      fastPathCounts[route] += 1;
    },
    watchState(s) {
      sources = s;
    },
  };
}

/**
 * `GET /metrics` in the Prometheus text format. Not rate-limited: Prometheus scrapes each replica
 * directly on the internal network, and the proxy does not pass `/metrics` (infra/nginx/nginx.conf).
 */
export function createMetricsRoutes(metrics: ApiMetrics): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' }),
  );
  return app;
}
