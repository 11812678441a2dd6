import type { IncomingMessage } from 'node:http';
import { getQueryParam } from 'hono/utils/url';
import { type Answer, AnswerShape } from '../answers/answer.js';
import type { FastRead } from '../answers/node-adapter.js';
import type { FacilityCache, FacilityLayout } from '../state/facility-cache.js';
import type { FacilityEntry, FacilitySlot } from '../state/facility-entry.js';
import { renderSearchGeoJson, renderSearchJson, wantsGeoJson } from './render-search.js';
import { searchFacilities } from './search-facilities.js';
import { parseSearchQuery, type SearchQuery } from './search-query.js';

const OWN_HEADERS = { Vary: 'Accept', 'Cache-Control': 'public, max-age=5' };
const JSON_PAGE = new AnswerShape(200, { ...OWN_HEADERS, 'Content-Type': 'application/json' });
const GEOJSON_PAGE = new AnswerShape(200, { ...OWN_HEADERS, 'Content-Type': 'application/geo+json' });
/** What the kept pages may hold, in bytes at most (then the memo starts afresh). */
const MAX_KEPT_BYTES = 8 * 1024 * 1024;
/** Counted per kept page besides its body and key: the map entry, the record and its two arrays. */
const KEPT_OVERHEAD_BYTES = 256;

/** A page built for a query, and what it was built from. */
interface Kept {
  answer: Answer;
  layout: FacilityLayout;
  slots: readonly FacilitySlot[];
  entries: readonly FacilityEntry[];
  /** What it counts against MAX_KEPT_BYTES. */
  bytes: number;
}

/**
 * The answers of `GET /v1/facilities?…` (the route and the raw node path alike), built per request
 * or, for a query asked again, kept: apps and signs repeat the same query. A kept page is given
 * again only while what it was built from stands: the same layout (no facility added, removed or
 * moved) and, for each facility on it, the same entry (state version). Queries that filter by state
 * or kind (a change anywhere may let a facility in) are always built afresh.
 */
export interface SearchAnswers {
  /** The kept answer to this raw query string over `layout`, if still current. */
  find(layout: FacilityLayout, rawQuery: string, accept: string | undefined): Answer | undefined;
  /** Builds the answer to `q` (parsed from `rawQuery`), as JSON or, when `accept` asks for it, GeoJSON. */
  build(layout: FacilityLayout, rawQuery: string, q: SearchQuery, accept: string | undefined): Answer;
}

export function createSearchAnswers(): SearchAnswers {
  const kept = new Map<string, Kept>();
  let keptBytes = 0;
  const keyOf = (rawQuery: string, accept: string | undefined) => (wantsGeoJson(accept) ? `g${rawQuery}` : `j${rawQuery}`);
  return {
    find(layout, rawQuery, accept) {
      const k = kept.get(keyOf(rawQuery, accept));
      if (k === undefined || k.layout !== layout) return undefined;
      for (let i = 0; i < k.slots.length; i++) if ((k.slots[i] as FacilitySlot).entry !== k.entries[i]) return undefined;
      return k.answer;
    },
    build(layout, rawQuery, q, accept) {
      const result = searchFacilities(layout, q);
      const geo = wantsGeoJson(accept);
      const body = geo ? Buffer.from(JSON.stringify(renderSearchGeoJson(result, q))) : renderSearchJson(result, q);
      const answer = (geo ? GEOJSON_PAGE : JSON_PAGE).with(body);
      if (q.kinds === null && q.bbox === null && q.category === null && !q.available) {
        // Unknown parameters are ignored, so every query string is a key of its own: the key and the
        // arrays count too, or small pages under long, unique query strings would hold unbounded memory.
        const key = keyOf(rawQuery, accept);
        const bytes = body.length + 2 * key.length + 16 * result.hits.length + KEPT_OVERHEAD_BYTES;
        if (keptBytes + bytes > MAX_KEPT_BYTES) {
          kept.clear();
          keptBytes = 0;
        }
        const previous = kept.get(key);
        if (previous !== undefined) keptBytes -= previous.bytes;
        const slots = result.hits.map((h) => h.slot);
        kept.set(key, { answer, layout, slots, entries: slots.map((s) => s.entry), bytes });
        keptBytes += bytes;
      }
      return answer;
    },
  };
}

/** The query string of a request target or URL ('' without one). */
export const rawQueryOf = (url: string) => {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at + 1);
};

const PATH = '/v1/facilities';
const QUESTION_MARK = 63;

/**
 * The search on the raw node path, when the in-memory layout is current and the query valid (read
 * by Hono's own query parser, as `c.req.query()` reads it); anything else is the route's.
 */
export function searchFastRead(cache: FacilityCache, answers: SearchAnswers): FastRead {
  return {
    route: 'search',
    prepare(url: string, req: IncomingMessage) {
      if (!url.startsWith(PATH) || (url.length > PATH.length && url.charCodeAt(PATH.length) !== QUESTION_MARK)) return undefined;
      const layout = cache.currentLayout();
      if (layout === undefined) return undefined;
      const rawQuery = rawQueryOf(url);
      const { accept } = req.headers;
      const found = answers.find(layout, rawQuery, accept);
      if (found !== undefined) return () => found;
      let q: SearchQuery;
      try {
        q = parseSearchQuery(getQueryParam(`http://h${url}`) as Record<string, string>);
      } catch {
        return undefined;
      }
      return () => answers.build(layout, rawQuery, q, accept);
    },
  };
}
