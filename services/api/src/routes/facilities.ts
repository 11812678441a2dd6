import { countAmenities, type Db, listSpots, type SpotRecord } from '@freiplatz/db';
import { computeSpotStatus, type SpotCategory, slugSchema, spotCategories } from '@freiplatz/domain';
import { Hono } from 'hono';
import { writeToHono } from '../answers/answer.js';
import type { AppEnv } from '../app-env.js';
import { ApiError } from '../errors.js';
import { toFacilityDetailView, toSpotView } from '../facility-view.js';
import { rawQueryOf, type SearchAnswers } from '../search/search-answer.js';
import { parseSearchQuery } from '../search/search-query.js';
import { type FacilityCache, StateUnavailableError } from '../state/facility-cache.js';
import type { FacilityEntry } from '../state/facility-entry.js';

export interface FacilitiesRoutesOptions {
  db: Db;
  cache: FacilityCache;
  now: () => Date;
  search: SearchAnswers;
}

/** Validates a facility id from the path; a malformed id is a bad request, not a miss. */
export function parseFacilityId(raw: string): string {
  if (!slugSchema.safeParse(raw).success) {
    throw new ApiError('BAD_REQUEST', 'facility id must be a lower-case slug of 1–64 characters (a–z, 0–9, _ . -)');
  }
  return raw;
}

export const facilityNotFound = (id: string) => new ApiError('NOT_FOUND', `no facility "${id}"`);

/** Validates `?category=`; null when absent. */
export function parseCategory(raw: string | undefined): SpotCategory | null {
  if (raw === undefined) return null;
  if (!(spotCategories as readonly string[]).includes(raw)) {
    throw new ApiError('BAD_REQUEST', `invalid query parameter "category": must be one of ${spotCategories.join(', ')}`);
  }
  return raw as SpotCategory;
}

/** Reads a facility from the in-memory state (waiting only when a newer version was announced). */
export async function requireFacility(cache: FacilityCache, rawId: string): Promise<FacilityEntry> {
  const id = parseFacilityId(rawId);
  let entry: FacilityEntry | undefined;
  try {
    entry = await cache.get(id);
  } catch (err) {
    if (err instanceof StateUnavailableError) throw new ApiError('NOT_READY', 'facility state is not available right now', { cause: err });
    throw err;
  }
  if (!entry) throw facilityNotFound(id);
  return entry;
}

/** What the spot rule needs of a spot as the database lists it. */
export function toSpotInput(spot: SpotRecord) {
  const { sensor, sensorState } = spot;
  return {
    closed: spot.closed,
    sensor,
    // A sensor heard without an occupancy reading (heartbeat only) tells nothing about the bay.
    state: sensorState?.occupied == null ? null : { occupied: sensorState.occupied, lastSeenAt: sensorState.lastSeenAt },
  };
}

/** Creates the `/v1/facilities` routes. */
export function createFacilitiesRoutes({ db, cache, now, search }: FacilitiesRoutesOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    // A bad query is refused before anything waits for the state.
    const q = parseSearchQuery(c.req.query());
    const [layout, rawQuery, accept] = [await cache.layout(), rawQueryOf(c.req.url), c.req.header('Accept')];
    return writeToHono(c, search.find(layout, rawQuery, accept) ?? search.build(layout, rawQuery, q, accept));
  });

  app.get('/:id', async (c) => {
    const entry = await requireFacility(cache, c.req.param('id'));
    const amenities = await countAmenities(db, entry.id);
    return c.json({ ...toFacilityDetailView(entry.record), amenities }, 200, { 'Cache-Control': 'public, max-age=5' });
  });

  app.get('/:id/spots', async (c) => {
    const entry = await requireFacility(cache, c.req.param('id'));
    const spots = await listSpots(db, entry.id);
    const at = now();
    return c.json({ items: spots.map((s) => toSpotView(s, computeSpotStatus(toSpotInput(s), at))) });
  });

  return app;
}
