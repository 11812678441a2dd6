import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '@freiplatz/config';
import type { FastPathRoute } from '../metrics/api-metrics.js';
import { type Answer, writeToNode } from './answer.js';

/** What hono/request-id accepts from a client (app.ts limits it to 128 characters). */
const REQUEST_ID = /^[\w\-=]{1,128}$/;

/**
 * A public read the raw node path may answer: given a plain GET (no body), the builder of its
 * answer when that answer is a success known from memory; undefined leaves the request to Hono (an
 * unknown path, a bad query, a miss: every error is Hono's to render). A promise while the state it
 * needs is still loading.
 */
export interface FastRead {
  /** The route the node answers are counted under (metrics/api-metrics.ts); uncounted without. */
  readonly route?: FastPathRoute;
  prepare(url: string, req: IncomingMessage): FastAnswer | undefined | Promise<FastAnswer | undefined>;
}
export type FastAnswer = () => Answer;

export interface NodeAdapterOptions {
  reads: readonly FastRead[];
  /** Hono's listener (@hono/node-server), for every request the reads leave. */
  fallback: RequestListener;
  /** Spends a token of the request's client from the buckets Hono's limiter spends; false when over (Hono answers the 429). */
  take(req: IncomingMessage): boolean;
  count(route: FastPathRoute): void;
  /** Gets the access-log line middleware/access-log.ts writes at debug level. */
  logger: Logger;
}

/** True when a request announces a body (odd for a read: leave it to the general body limits). */
const hasBody = (req: IncomingMessage) => req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;

/**
 * The node:http listener of the app: the reads' prebuilt answers written straight onto the node
 * response, everything else handed to Hono. Writes what Hono's middleware would add (answer.ts) and
 * the request id hono/request-id would keep or make; spends the same rate-limit token.
 */
export function createNodeAdapter({ reads, fallback, take, count, logger }: NodeAdapterOptions): RequestListener {
  const write = (req: IncomingMessage, res: ServerResponse, read: FastRead, build: FastAnswer, start: number) => {
    if (!take(req)) return fallback(req, res);
    const answer = build();
    const incoming = req.headers['x-request-id'];
    const clientId = incoming !== undefined && REQUEST_ID.test(incoming as string) ? (incoming as string) : undefined;
    // A 304 carries only the client's own id (see not-modified.ts); a 200 gets one made up when the client sent none.
    const requestId = answer.status === 304 ? clientId : (clientId ?? randomUUID());
    writeToNode(res, answer, requestId);
    if (read.route !== undefined) count(read.route);
    if (logger.isLevelEnabled('debug')) {
      const url = req.url ?? '';
      const query = url.indexOf('?');
      const ms = Math.round((performance.now() - start) * 10) / 10;
      const path = query < 0 ? url : url.slice(0, query);
      logger.debug({ requestId: requestId ?? randomUUID(), method: 'GET', path, status: answer.status, ms }, 'request');
    }
  };

  return (req, res) => {
    if (req.method !== 'GET' || hasBody(req)) return fallback(req, res);
    const start = performance.now();
    const url = req.url ?? '';
    for (const read of reads) {
      const got = read.prepare(url, req);
      if (got === undefined) continue;
      if (!(got instanceof Promise)) return write(req, res, read, got, start);
      got
        .then(
          (build) => (build === undefined ? fallback(req, res) : write(req, res, read, build, start)),
          // State unavailable: the route renders the error.
          () => fallback(req, res),
        )
        .catch((err: unknown) => res.destroy(err instanceof Error ? err : undefined));
      return;
    }
    fallback(req, res);
  };
}
