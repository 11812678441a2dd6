import type { IncomingMessage } from 'node:http';
import { getQueryParam } from 'hono/utils/url';
import { type Answer, AnswerShape } from '../answers/answer.js';
import type { FastRead } from '../answers/node-adapter.js';
import type { FacilityCache, FacilityLayout } from '../state/facility-cache.js';
import { renderSearchGeoJson, renderSearchJson, wantsGeoJson } from './render-search.js';
import { searchFacilities } from './search-facilities.js';
import { parseSearchQuery, type SearchQuery } from './search-query.js';

const OWN_HEADERS = { Vary: 'Accept', 'Cache-Control': 'public, max-age=5' };
const JSON_PAGE = new AnswerShape(200, { ...OWN_HEADERS, 'Content-Type': 'application/json' });
const GEOJSON_PAGE = new AnswerShape(200, { ...OWN_HEADERS, 'Content-Type': 'application/geo+json' });

/** The answer to `GET /v1/facilities?…`: the page `q` asks for, as JSON or, when `accept` asks for it, GeoJSON. */
export function answerSearch(layout: FacilityLayout, q: SearchQuery, accept: string | undefined): Answer {
  const result = searchFacilities(layout, q);
  if (wantsGeoJson(accept)) return GEOJSON_PAGE.with(Buffer.from(JSON.stringify(renderSearchGeoJson(result, q))));
  return JSON_PAGE.with(renderSearchJson(result, q));
}

const PATH = '/v1/facilities';
const QUESTION_MARK = 63;

/**
 * The search on the raw node path, when the in-memory layout is current and the query valid (read
 * by Hono's own query parser, as `c.req.query()` reads it); anything else is the route's.
 */
export function searchFastRead(cache: FacilityCache): FastRead {
  return {
    route: 'search',
    prepare(url: string, req: IncomingMessage) {
      if (!url.startsWith(PATH) || (url.length > PATH.length && url.charCodeAt(PATH.length) !== QUESTION_MARK)) return undefined;
      const layout = cache.currentLayout();
      if (layout === undefined) return undefined;
      let q: SearchQuery;
      try {
        q = parseSearchQuery(getQueryParam(`http://h${url}`) as Record<string, string>);
      } catch {
        return undefined;
      }
      return () => answerSearch(layout, q, req.headers.accept);
    },
  };
}
