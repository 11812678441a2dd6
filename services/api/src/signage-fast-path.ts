import { randomUUID } from 'node:crypto';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './app-env.js';
import { matchesIfNoneMatch } from './etag.js';
import { remoteAddress, type TokenBuckets } from './middleware/rate-limit.js';
import type { FacilityCache } from './state/facility-cache.js';

/** The options app.ts gives `secureHeaders`; a test holds both paths' headers equal. */
export const SECURE_HEADERS_OPTIONS = { crossOriginResourcePolicy: 'cross-origin' } as const;
const REQUEST_ID = /^[\w\-=]{1,128}$/;

/** The security headers `secureHeaders` adds, computed once from the middleware itself. */
async function captureSecurityHeaders(): Promise<Record<string, string>> {
  const probe = new Hono();
  probe.use(secureHeaders(SECURE_HEADERS_OPTIONS));
  probe.get('/', (c) => c.body(null, 204));
  const res = await probe.request('/');
  return Object.fromEntries(res.headers.entries());
}

/**
 * The signage poll, answered before the general middleware: one cache lookup, one token, and a
 * Response with precomputed plain headers (the node server writes those without building Headers).
 * Anything but a plain successful GET (errors, unknown ids, pending state, rate-limited) falls
 * through to the ordinary route and middleware, which answer it as always.
 */
export function createSignageFastPath(
  cache: FacilityCache,
  buckets: TokenBuckets,
  cacheControl: string,
  clientKey: (c: Context<AppEnv>) => string = remoteAddress,
): MiddlewareHandler<AppEnv> {
  let fixed: Record<string, string> | null = null;
  void captureSecurityHeaders().then((security) => {
    fixed = {
      ...security,
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'ETag,Retry-After,X-Request-Id',
      'Cache-Control': cacheControl,
    };
  });
  return (c: Context<AppEnv>, next) => {
    if (fixed === null || c.req.method !== 'GET') return next();
    const entry = cache.get(c.req.param('id') as string);
    if (entry === undefined || entry instanceof Promise) return next();
    const format = c.req.query('format');
    if (format !== undefined && format !== 'json' && format !== 'text') return next();
    if (buckets.take(clientKey(c)) !== 0) return next();
    const incomingId = c.req.header('X-Request-Id');
    const headers: Record<string, string> = {
      ...fixed,
      ETag: entry.etag,
      'X-Request-Id': incomingId !== undefined && REQUEST_ID.test(incomingId) ? incomingId : randomUUID(),
    };
    if (matchesIfNoneMatch(c.req.header('If-None-Match'), entry.etag)) return Promise.resolve(new Response(null, { status: 304, headers }));
    if (format === 'text') {
      headers['Content-Type'] = 'text/plain; charset=UTF-8';
      return Promise.resolve(new Response(entry.availabilityText, { status: 200, headers }));
    }
    headers['Content-Type'] = 'application/json';
    return Promise.resolve(new Response(entry.availabilityJson, { status: 200, headers }));
  };
}
