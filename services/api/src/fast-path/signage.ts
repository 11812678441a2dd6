import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';
import { matchesIfNoneMatch } from '../etag.js';
import type { FacilityCache } from '../state/facility-cache.js';
import type { FacilityEntry } from '../state/facility-entry.js';
import { hasBody, type NodeFastPath, pathOf, type RawReads, writeResponse } from './raw-reads.js';

const PREFIX = '/v1/facilities/';
const SUFFIX = '/availability';
const QUESTION_MARK = 63;
const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=UTF-8';

export interface SignageFastPath {
  /** Hono middleware ahead of the availability route: serves `app.request()` / `app.fetch` callers. */
  middleware: MiddlewareHandler<AppEnv>;
  /**
   * The same answers for `startApiServer`, straight onto the node response before Hono sees the
   * request; a read that must wait for a newer state (announced, not loaded yet) waits here too.
   */
  handleNode: NodeFastPath;
}

/** The facility id of `/v1/facilities/{id}/availability[?format=json|text]`, or null for any other target or query. */
export function parseSignageTarget(url: string): { id: string; format: 'json' | 'text' | undefined } | null {
  if (!url.startsWith(PREFIX)) return null;
  const slash = url.indexOf('/', PREFIX.length);
  if (slash <= PREFIX.length || !url.startsWith(SUFFIX, slash)) return null;
  const end = slash + SUFFIX.length;
  const id = url.slice(PREFIX.length, slash);
  if (end === url.length) return { id, format: undefined };
  if (url.charCodeAt(end) !== QUESTION_MARK) return null;
  const query = url.slice(end + 1);
  if (query === '') return { id, format: undefined };
  if (query === 'format=json') return { id, format: 'json' };
  if (query === 'format=text') return { id, format: 'text' };
  return null;
}

/**
 * The signage poll, answered before the general middleware: one cache lookup, one token, and
 * precomputed headers. Anything but a plain successful GET (errors, unknown ids, pending state,
 * rate-limited, other methods and queries such as `category`, requests with a body) falls through to the ordinary
 * route and middleware, which answer it as always.
 */
export function createSignageFastPath(reads: RawReads, cache: FacilityCache, cacheControl: string): SignageFastPath {
  /** The entry to answer from, or undefined to fall through. */
  const entryOf = (id: string): FacilityEntry | undefined => {
    const entry = cache.get(id);
    return entry instanceof Promise ? undefined : entry;
  };

  const middleware: MiddlewareHandler<AppEnv> = (c, next) => {
    const { common } = reads;
    if (common === null || c.req.method !== 'GET') return next();
    const start = performance.now();
    const entry = entryOf(c.req.param('id') as string);
    if (entry === undefined) return next();
    const query = c.req.query();
    const format = query.format;
    if (format !== undefined && format !== 'json' && format !== 'text') return next();
    // Any other parameter (a category view) is the route's to answer.
    for (const key in query) if (key !== 'format') return next();
    if (!reads.takeHono(c)) return next();
    const requestId = reads.requestIdOf(c.req.header('X-Request-Id'));
    const headers: Record<string, string> = { ...common, 'Cache-Control': cacheControl, ETag: entry.etag, 'X-Request-Id': requestId };
    let res: Response;
    if (matchesIfNoneMatch(c.req.header('If-None-Match'), entry.etag)) res = new Response(null, { status: 304, headers });
    else if (format === 'text')
      res = new Response(entry.availabilityText, { status: 200, headers: { ...headers, 'Content-Type': TEXT_TYPE } });
    else res = new Response(entry.availabilityJson, { status: 200, headers: { ...headers, 'Content-Type': JSON_TYPE } });
    reads.logRequest(requestId, 'GET', c.req.path, res.status, start);
    return Promise.resolve(res);
  };

  type Target = NonNullable<ReturnType<typeof parseSignageTarget>>;
  const answerNode = (
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    entry: FacilityEntry | undefined,
    start: number,
  ): boolean => {
    const { commonFlat, notModifiedFlat } = reads;
    if (commonFlat === null || notModifiedFlat === null || entry === undefined || !reads.takeNode(req)) return false;
    const incomingId = req.headers['x-request-id'] as string | undefined;
    if (matchesIfNoneMatch(req.headers['if-none-match'], entry.etag)) {
      // The sign's usual answer: only what a cache needs (see not-modified.ts), and no made-up request id.
      const clientId = reads.clientRequestId(incomingId);
      const headers = [...notModifiedFlat, 'Cache-Control', cacheControl, 'ETag', entry.etag];
      if (clientId !== undefined) headers.push('X-Request-Id', clientId);
      writeResponse(res, 304, headers);
      reads.count('availability');
      reads.logRequest(clientId, 'GET', pathOf(req.url ?? ''), 304, start);
      return true;
    }
    const requestId = reads.requestIdOf(incomingId);
    const headers = [...commonFlat, 'Cache-Control', cacheControl, 'ETag', entry.etag, 'X-Request-Id', requestId];
    if (target.format === 'text') writeResponse(res, 200, headers, entry.availabilityText, TEXT_TYPE);
    else writeResponse(res, 200, headers, entry.availabilityJson, JSON_TYPE);
    reads.count('availability');
    reads.logRequest(requestId, 'GET', pathOf(req.url ?? ''), 200, start);
    return true;
  };

  const handleNode: NodeFastPath = (req, res, next) => {
    const target = reads.commonFlat !== null && req.method === 'GET' ? parseSignageTarget(req.url ?? '') : null;
    if (target === null || hasBody(req)) return next();
    const start = performance.now();
    const got = cache.get(target.id);
    if (!(got instanceof Promise)) {
      if (!answerNode(req, res, target, got, start)) next();
      return;
    }
    // Errors (state unavailable) and misses are the route's to render.
    got
      .then(
        (entry) => {
          if (!answerNode(req, res, target, entry, start)) next();
        },
        () => next(),
      )
      .catch((err: unknown) => res.destroy(err instanceof Error ? err : undefined));
  };

  return { middleware, handleNode };
}
