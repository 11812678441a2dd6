import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import { matchesIfNoneMatch } from '../etag.js';
import type { FacilityCache, FacilityLayout } from '../state/facility-cache.js';
import type { FacilityEntry } from '../state/facility-entry.js';
import type { Publication, PublicationSource } from './publication.js';

/** One rendering of an export: the body with its identity, and its gzip made on first demand. */
interface Rendered {
  entries: readonly FacilityEntry[];
  publicationKey: string;
  body: string;
  etag: string;
  lastModified: string;
  gzip?: Uint8Array<ArrayBuffer>;
}

export interface FeedOptions {
  cache: FacilityCache;
  publication: PublicationSource;
  /** Short name in the ETag (`"<name>-<hash>"`). */
  name: string;
  contentType: string;
  /** `Cache-Control` of the export. */
  cacheControl: string;
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

/**
 * An export of the in-memory facility state: rendered once per state (no database read per
 * request), with a strong ETag from the body and Last-Modified from the newest state change; a
 * matching If-None-Match (or If-Modified-Since) gets a 304 before any body is touched, and
 * clients that accept gzip get a gzip made once per state.
 */
export function createFeed(options: FeedOptions) {
  let last: Rendered | undefined;

  const current = async (): Promise<Rendered> => {
    const layout = options.cache.currentLayout() ?? (await options.cache.layout());
    const publication = await options.publication.get();
    const entries = entriesOf(layout);
    if (last && last.publicationKey === publication.key && sameEntries(last.entries, entries)) return last;
    let newest = 0;
    for (const e of entries) newest = Math.max(newest, e.record.state.updatedAt.getTime());
    const modified = new Date(Math.floor(newest / 1000) * 1000);
    const body = await options.render(entries, publication, modified);
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 22);
    last = { entries, publicationKey: publication.key, body, etag: `"${options.name}-${hash}"`, lastModified: modified.toUTCString() };
    return last;
  };

  return async (c: Context<AppEnv>, extraHeaders: Record<string, string> = {}): Promise<Response> => {
    const r = await current();
    const publication = await options.publication.get();
    const headers: Record<string, string> = {
      ETag: r.etag,
      'Last-Modified': r.lastModified,
      'Cache-Control': options.cacheControl,
      Vary: 'Accept-Encoding',
      ...extraHeaders,
      Link: [`<${publication.licence.url}>; rel="license"`, ...(extraHeaders.Link ? [extraHeaders.Link] : [])].join(', '),
    };
    const ifNoneMatch = c.req.header('If-None-Match');
    const ifModifiedSince = c.req.header('If-Modified-Since');
    if (matchesIfNoneMatch(ifNoneMatch, r.etag)) return c.body(null, 304, headers);
    if (ifNoneMatch === undefined && ifModifiedSince !== undefined && Date.parse(ifModifiedSince) >= Date.parse(r.lastModified)) {
      return c.body(null, 304, headers);
    }
    headers['Content-Type'] = options.contentType;
    if (/\bgzip\b/.test(c.req.header('Accept-Encoding') ?? '')) {
      r.gzip ??= new Uint8Array(gzipSync(r.body));
      return c.body(r.gzip, 200, { ...headers, 'Content-Encoding': 'gzip' });
    }
    return c.body(r.body, 200, headers);
  };
}

/** What a facility's counts say about free spaces: exact, a lower bound while some are unknown, or nothing when its status is unknown. */
export function freeOf(s: { free: number; unknown: number; status?: string }): { free: number | null; exact: boolean } {
  if (s.status === 'unknown') return { free: null, exact: false };
  return { free: s.free, exact: s.unknown === 0 };
}
