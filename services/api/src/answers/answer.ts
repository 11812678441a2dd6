import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { keepOn304 } from '../middleware/not-modified.js';
import { PUBLIC_304_FLAT, PUBLIC_READ_FLAT } from './public-headers.js';

/**
 * A response built once where its state changes (a facility's state version, an export's
 * rendering) or once per request (a search), and only written by the transports: a Hono route
 * (`writeToHono`, the middleware adds the common fields) or the raw node path (`writeToNode`, the
 * common fields are in `nodeHeaders`).
 */
export type Answer = AnswerFields & ({ readonly status: 200; readonly body: Uint8Array } | { readonly status: 304; readonly body: null });

interface AnswerFields {
  /** The answer's own header fields (Content-Type, Cache-Control, ETag …), as a Hono route sets them. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Everything a raw node response of it carries but `X-Request-Id`, as a flat name, value list: the
   * security and CORS fields and `headers` (of a 304, only what not-modified.ts keeps), Content-Length.
   */
  readonly nodeHeaders: readonly string[];
}

/** The status and header fields of many answers (every search result, every 304 of a feed), prepared once. */
export class AnswerShape {
  readonly #head: readonly string[];

  constructor(
    readonly status: 200 | 304,
    readonly headers: Readonly<Record<string, string>>,
  ) {
    const own = Object.entries(headers);
    this.#head =
      status === 304
        ? [...PUBLIC_304_FLAT, ...own.filter(([name, value]) => keepOn304(name, value, undefined)).flat()]
        : [...PUBLIC_READ_FLAT, ...own.flat()];
  }

  /** The answer with this body (a 304 has none). */
  with(body: Uint8Array | null): Answer {
    const { headers } = this;
    if (this.status === 304 || body === null) return { status: 304, headers, body: null, nodeHeaders: this.#head };
    return { status: 200, headers, body, nodeHeaders: [...this.#head, 'Content-Length', String(body.length)] };
  }
}

/** One answer of its own shape. */
export const buildAnswer = (status: 200 | 304, headers: Readonly<Record<string, string>>, body: Uint8Array | null) =>
  new AnswerShape(status, headers).with(body);

/** Writes an answer from a Hono route; the middleware adds the security, CORS and request-id fields. */
export const writeToHono = (c: Context, answer: Answer): Response =>
  answer.status === 304 ? c.body(null, 304, answer.headers) : c.body(answer.body as Uint8Array<ArrayBuffer>, 200, answer.headers);

/** Writes an answer straight onto a node response, in one `writeHead` and one `end`. */
export function writeToNode(res: ServerResponse, answer: Answer, requestId: string | undefined): void {
  const headers = answer.nodeHeaders.slice();
  if (requestId !== undefined) headers.push('X-Request-Id', requestId);
  res.writeHead(answer.status, headers);
  res.end(answer.body ?? undefined);
}
