import type { IncomingMessage, ServerResponse } from 'node:http';
import { getQueryParam } from 'hono/utils/url';
import { hasBody, type NodeFastPath, type RawReads, writeResponse } from '../fast-path/raw-reads.js';
import type { FacilityCache } from '../state/facility-cache.js';
import { renderSearchGeoJson, renderSearchJsonBytes, wantsGeoJson } from './render-search.js';
import { searchFacilities } from './search-facilities.js';
import { parseSearchQuery, type SearchQuery } from './search-query.js';

const PATH = '/v1/facilities';
const QUESTION_MARK = 63;

/**
 * `GET /v1/facilities?…` for `startApiServer`, answered onto the node response when the in-memory
 * layout is current and the query is valid; anything else (a bad query, pending state, rate-limited,
 * other methods, requests with a body) falls through to the route, which answers as always.
 */
export function createSearchFastPath(reads: RawReads, cache: FacilityCache): NodeFastPath {
  const answer = (req: IncomingMessage, res: ServerResponse): boolean => {
    const { commonFlat } = reads;
    if (commonFlat === null || req.method !== 'GET') return false;
    const url = req.url ?? '';
    if (!url.startsWith(PATH) || (url.length > PATH.length && url.charCodeAt(PATH.length) !== QUESTION_MARK)) return false;
    const start = performance.now();
    const layout = cache.currentLayout();
    if (layout === undefined || hasBody(req)) return false;
    let q: SearchQuery;
    try {
      // Hono's own query parser, so that both paths read the same parameters.
      q = parseSearchQuery(getQueryParam(`http://h${url}`) as Record<string, string>);
    } catch {
      return false;
    }
    if (!reads.takeNode(req)) return false;
    const result = searchFacilities(layout, q);
    const requestId = reads.requestIdOf(req.headers['x-request-id'] as string | undefined);
    const headers = [...commonFlat, 'X-Request-Id', requestId, 'Vary', 'Accept', 'Cache-Control', 'public, max-age=5'];
    if (wantsGeoJson(req.headers.accept))
      writeResponse(res, 200, headers, JSON.stringify(renderSearchGeoJson(result, q)), 'application/geo+json');
    else writeResponse(res, 200, headers, renderSearchJsonBytes(result, q), 'application/json');
    reads.count('search');
    reads.logRequest(requestId, 'GET', PATH, 200, start);
    return true;
  };
  return (req, res, next) => {
    if (!answer(req, res)) next();
  };
}
