import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@freiplatz/config';
import { type Context, Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../app-env.js';
import type { FastPathRoute } from '../metrics/api-metrics.js';
import { keepOn304 } from '../middleware/not-modified.js';
import type { TokenBuckets } from '../middleware/rate-limit.js';

/** Response headers public reads expose to other origins (the CORS middleware and the fast paths alike). */
export const EXPOSED_HEADERS = ['ETag', 'Last-Modified', 'Link', 'Retry-After', 'X-Request-Id'];

/** The options app.ts gives `secureHeaders`; the fast paths send the same headers (tests hold them equal). */
export const SECURE_HEADERS_OPTIONS = { crossOriginResourcePolicy: 'cross-origin' } as const;
/** What hono/request-id accepts from a client (app.ts limits it to 128 characters). */
const REQUEST_ID = /^[\w\-=]{1,128}$/;

/**
 * Answers a request straight onto the node response, or calls `next` (having touched nothing) to
 * leave it to the app; `next` may be called later, once an awaited state turns out not to fit.
 */
export type NodeFastPath = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface RawReadsOptions {
  buckets: TokenBuckets;
  /** The rate-limit key of a Hono request and of a raw node request; both must agree. */
  clientKey: (c: Context<AppEnv>) => string;
  nodeClientKey: (req: IncomingMessage) => string;
  /** Gets the access-log line the general middleware writes at debug level. */
  logger: Logger;
  /** Counts a response of a node fast path (services/api/src/metrics/api-metrics.ts): one increment, nothing else. */
  countFastPath?: (route: FastPathRoute) => void;
}

/** What every fast path needs to answer like the general middleware would. */
export interface RawReads {
  /** Security and CORS headers of a public read, once captured from the middleware (null before). */
  readonly common: Readonly<Record<string, string>> | null;
  /** `common` as a flat name, value list for `writeHead`. */
  readonly commonFlat: readonly string[] | null;
  /** What a 304 keeps of `common` (the CORS fields, see not-modified.ts), flat like `commonFlat`. */
  readonly notModifiedFlat: readonly string[] | null;
  /** The client's `X-Request-Id` when hono/request-id would keep it, else undefined. */
  clientRequestId(incoming: string | undefined): string | undefined;
  /** The client's `X-Request-Id` when hono/request-id would keep it, else a new one. */
  requestIdOf(incoming: string | undefined): string;
  /** Spends a token; false when over the limit (leave the request to Hono, which answers 429). */
  takeNode(req: IncomingMessage): boolean;
  takeHono(c: Context<AppEnv>): boolean;
  /** Counts a response written straight onto the node response (metrics). */
  count(route: FastPathRoute): void;
  /** The access log's debug line (a new request id when undefined); `start` from `performance.now()`. */
  logRequest(requestId: string | undefined, method: string, path: string, status: number, start: number): void;
}

/** The security headers `secureHeaders` adds, computed once from the middleware itself. */
async function captureSecurityHeaders(): Promise<Record<string, string>> {
  const probe = new Hono();
  probe.use(secureHeaders(SECURE_HEADERS_OPTIONS));
  probe.get('/', (c) => c.body(null, 204));
  const res = await probe.request('/');
  return Object.fromEntries(res.headers.entries());
}

/** True when a request announces a body (odd for a read: leave it to the general body limits). */
export const hasBody = (req: IncomingMessage) =>
  req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;

/** Writes a complete response with a text or byte body (none for 304), in one `end`. */
export function writeResponse(
  res: ServerResponse,
  status: number,
  headers: string[],
  body?: string | Uint8Array,
  contentType?: string,
): void {
  if (body !== undefined && contentType !== undefined)
    headers.push('Content-Type', contentType, 'Content-Length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.length));
  res.writeHead(status, headers);
  res.end(body);
}

/** The path of a request target, without its query. */
export const pathOf = (url: string) => {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
};

/** Creates the shared parts of the fast paths: headers, request ids, rate limit and access log. */
export function createRawReads({ buckets, clientKey, nodeClientKey, logger, countFastPath = () => {} }: RawReadsOptions): RawReads {
  const reads: RawReads = {
    common: null,
    commonFlat: null,
    notModifiedFlat: null,
    clientRequestId: (incoming) => (incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : undefined),
    requestIdOf: (incoming) => reads.clientRequestId(incoming) ?? randomUUID(),
    takeNode: (req) => buckets.take(nodeClientKey(req)) === 0,
    takeHono: (c) => buckets.take(clientKey(c)) === 0,
    count: countFastPath,
    logRequest(requestId, method, path, status, start) {
      if (!logger.isLevelEnabled('debug')) return;
      const ms = Math.round((performance.now() - start) * 10) / 10;
      logger.debug({ requestId: requestId ?? randomUUID(), method, path, status, ms }, 'request');
    },
  };
  void captureSecurityHeaders().then((security) => {
    const common = {
      ...security,
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(','),
    };
    Object.assign(reads, {
      common,
      commonFlat: Object.entries(common).flat(),
      notModifiedFlat: Object.entries(common)
        .filter(([name, value]) => keepOn304(name, value, undefined))
        .flat(),
    });
  });
  return reads;
}
