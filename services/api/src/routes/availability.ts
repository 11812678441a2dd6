import { Hono } from 'hono';
import { writeToHono } from '../answers/answer.js';
import type { FastRead } from '../answers/node-adapter.js';
import type { AppEnv } from '../app-env.js';
import { ApiError } from '../errors.js';
import type { FacilityCache } from '../state/facility-cache.js';
import type { AvailabilityFormat, FacilityEntry } from '../state/facility-entry.js';
import { facilityNotFound, parseCategory, parseFacilityId, requireFacility } from './facilities.js';

/**
 * `GET /v1/facilities/{id}/availability`, the signage resource: the facility's entry holds the
 * answers of its state version (state/facility-entry.ts); a matching If-None-Match gets its 304
 * before any body is built.
 */
export function createAvailabilityRoutes(cache: FacilityCache): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/:id/availability', (c): Response | Promise<Response> => {
    const id = c.req.param('id');
    const answer = (entry: FacilityEntry | undefined): Response => {
      if (!entry) throw facilityNotFound(parseFacilityId(id));
      const format = c.req.query('format') ?? 'json';
      if (format !== 'json' && format !== 'text') throw new ApiError('BAD_REQUEST', 'format must be "json" or "text"');
      // A category sign shows that category's counts and its own status; the state version covers every category.
      const category = parseCategory(c.req.query('category'));
      if (category !== null && entry.record.state.byCategory[category] === undefined) {
        throw new ApiError('NOT_FOUND', `facility "${entry.id}" has no spots of category "${category}"`);
      }
      return writeToHono(c, entry.availability(format, category, c.req.header('If-None-Match')));
    };
    const got = cache.get(id);
    if (!(got instanceof Promise)) return answer(got);
    return requireFacility(cache, id).then(answer);
  });
  return app;
}

const PREFIX = '/v1/facilities/';
const SUFFIX = '/availability';
const QUESTION_MARK = 63;

/** The facility id of `/v1/facilities/{id}/availability[?format=json|text]`, or null for any other target or query. */
export function parseSignageTarget(url: string): { id: string; format: AvailabilityFormat } | null {
  if (!url.startsWith(PREFIX)) return null;
  const slash = url.indexOf('/', PREFIX.length);
  if (slash <= PREFIX.length || !url.startsWith(SUFFIX, slash)) return null;
  const end = slash + SUFFIX.length;
  const id = url.slice(PREFIX.length, slash);
  if (end === url.length) return { id, format: 'json' };
  if (url.charCodeAt(end) !== QUESTION_MARK) return null;
  const query = url.slice(end + 1);
  if (query === '' || query === 'format=json') return { id, format: 'json' };
  if (query === 'format=text') return { id, format: 'text' };
  return null;
}

/**
 * The signage poll on the raw node path: the entry's answer when the facility is known (waiting only
 * for a newer version that was announced); a miss, a category and any other query are the route's.
 */
export function availabilityFastRead(cache: FacilityCache): FastRead {
  return {
    route: 'availability',
    prepare(url, req) {
      const target = parseSignageTarget(url);
      if (target === null) return undefined;
      const ifNoneMatch = req.headers['if-none-match'];
      const of = (entry: FacilityEntry | undefined) => entry && (() => entry.availability(target.format, null, ifNoneMatch));
      const got = cache.get(target.id);
      return got instanceof Promise ? got.then(of) : of(got);
    },
  };
}
