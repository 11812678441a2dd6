import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import { type Answer, buildAnswer, writeToHono } from '../answers/answer.js';
import type { FastAnswer } from '../answers/node-adapter.js';
import type { AppEnv } from '../app-env.js';
import { matchesIfNoneMatch } from '../etag.js';
import type { FacilityCache, FacilityLayout } from '../state/facility-cache.js';
import type { FacilityEntry } from '../state/facility-entry.js';
import type { Publication, PublicationSource } from './publication.js';

/** One rendering of an export: its identity and answers (plain, 304, and the gzip made on first demand). */
interface Rendered {
  entries: readonly FacilityEntry[];
  publicationKey: string;
  etag: string;
  lastModified: string;
  /** `performance.now()` when rendered. */
  renderedAt: number;
  plain: Answer;
  notModified: Answer;
  gzip?: Answer;
}

export interface FeedOptions {
  cache: FacilityCache;
  publication: PublicationSource;
  /** Short name in the ETag (`"<name>-<hash>"`). */
  name: string;
  contentType: string;
  /** `Cache-Control` of the export. */
  cacheControl: string;
  /** `Vary` (default `Accept-Encoding`) and a `Link` of the feed's own, after the licence. */
  vary?: string;
  link?: string;
  /**
   * Least time between two renderings (default 1 s, well inside the feeds' max-age): under steady
   * ingest the state changes many times a second, and a feed of thousands of facilities is
   * rendered at most once per interval, however many clients ask.
   */
  minRenderIntervalMs?: number;
  render(entries: readonly FacilityEntry[], publication: Publication, lastModified: Date): string | Promise<string>;
}

/** The facilities of a layout, in id order. */
const entriesOf = (layout: FacilityLayout) => layout.slots.map((s) => s.entry);

/** True when the layout holds exactly the entries rendered (entries are replaced on every state change). */
function sameEntries(a: readonly FacilityEntry[], b: readonly FacilityEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The answer the conditional headers of a request ask of a rendering: a 304, or the body (gzip or not). */
function decide(
  r: Rendered,
  h: { ifNoneMatch: string | undefined; ifModifiedSince: string | undefined; acceptEncoding: string | undefined },
) {
  if (matchesIfNoneMatch(h.ifNoneMatch, r.etag)) return r.notModified;
  if (h.ifNoneMatch === undefined && h.ifModifiedSince !== undefined && Date.parse(h.ifModifiedSince) >= Date.parse(r.lastModified)) {
    return r.notModified;
  }
  if (/\bgzip\b/.test(h.acceptEncoding ?? '')) {
    r.gzip ??= buildAnswer(200, { ...r.plain.headers, 'Content-Encoding': 'gzip' }, gzipSync(r.plain.body as Uint8Array));
    return r.gzip;
  }
  return r.plain;
}

export interface Feed {
  /** Answers a Hono request, rendering first when the state moved on. */
  (c: Context<AppEnv>): Promise<Response>;
  /** The answer's builder for the raw node path when the rendering is current and known without waiting; undefined leaves it to Hono. */
  prepareNode(headers: IncomingHttpHeaders): FastAnswer | undefined;
}

/**
 * An export of the in-memory facility state: rendered once per state (no database read per
 * request), with a strong ETag from the body and Last-Modified from the newest state change; a
 * matching If-None-Match (or If-Modified-Since) gets a 304 before any body is touched, and
 * clients that accept gzip get a gzip made once per state. The Hono route and the raw node fast
 * path write the same rendering.
 */
export function createFeed(options: FeedOptions): Feed {
  let last: Rendered | undefined;
  let rendering: Promise<Rendered> | null = null;
  const minInterval = options.minRenderIntervalMs ?? 1000;

  const isCurrent = (r: Rendered | undefined, layout: FacilityLayout, publication: Publication): r is Rendered =>
    r !== undefined &&
    r.publicationKey === publication.key &&
    (performance.now() - r.renderedAt < minInterval || sameEntries(r.entries, entriesOf(layout)));

  const current = async (): Promise<Rendered> => {
    const layout = options.cache.currentLayout() ?? (await options.cache.layout());
    const publication = await options.publication.get();
    if (isCurrent(last, layout, publication)) return last;
    // Concurrent requests share one rendering.
    rendering ??= renderNow(layout, publication).finally(() => {
      rendering = null;
    });
    return rendering;
  };

  const renderNow = async (layout: FacilityLayout, publication: Publication): Promise<Rendered> => {
    const entries = entriesOf(layout);
    let newest = 0;
    for (const e of entries) newest = Math.max(newest, e.record.state.updatedAt.getTime());
    const modified = new Date(Math.floor(newest / 1000) * 1000);
    const text = await options.render(entries, publication, modified);
    const etag = `"${options.name}-${createHash('sha256').update(text).digest('base64url').slice(0, 22)}"`;
    const lastModified = modified.toUTCString();
    // What every answer (200 or 304) of this rendering carries.
    const headers = {
      ETag: etag,
      'Last-Modified': lastModified,
      'Cache-Control': options.cacheControl,
      Vary: options.vary ?? 'Accept-Encoding',
      Link: [`<${publication.licence.url}>; rel="license"`, ...(options.link ? [options.link] : [])].join(', '),
    };
    last = {
      entries,
      publicationKey: publication.key,
      etag,
      lastModified,
      renderedAt: performance.now(),
      plain: buildAnswer(200, { ...headers, 'Content-Type': options.contentType }, Buffer.from(text)),
      notModified: buildAnswer(304, headers, null),
    };
    return last;
  };

  const feed = async (c: Context<AppEnv>): Promise<Response> => {
    const r = await current();
    const h = { ifNoneMatch: c.req.header('If-None-Match'), ifModifiedSince: c.req.header('If-Modified-Since') };
    return writeToHono(c, decide(r, { ...h, acceptEncoding: c.req.header('Accept-Encoding') }));
  };

  feed.prepareNode = (headers: IncomingHttpHeaders) => {
    const layout = options.cache.currentLayout();
    const publication = options.publication.get();
    if (layout === undefined || publication instanceof Promise) return undefined;
    const r = last;
    if (!isCurrent(r, layout, publication)) return undefined;
    const h = { ifNoneMatch: headers['if-none-match'], ifModifiedSince: headers['if-modified-since'] };
    return () => decide(r, { ...h, acceptEncoding: headers['accept-encoding'] as string | undefined });
  };
  return feed;
}

/** What a facility's counts say about free spaces: exact, a lower bound while some are unknown, or nothing when its status is unknown. */
export function freeOf(s: { free: number; unknown: number; status?: string }): { free: number | null; exact: boolean } {
  if (s.status === 'unknown') return { free: null, exact: false };
  return { free: s.free, exact: s.unknown === 0 };
}
