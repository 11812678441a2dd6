import { type Db, findFacility, findFacilityVersion, listFacilities, listSpots, type SpotRecord } from '@freiplatz/db';
import { computeSpotStatus, slugSchema } from '@freiplatz/domain';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { ApiError } from '../errors.js';
import { formatAvailabilityEtag, matchesIfNoneMatch } from '../etag.js';
import { toFacilityAvailabilityView, toFacilityDetailView, toFacilitySummaryView, toSpotView } from '../facility-view.js';

export interface FacilitiesRoutesOptions {
  db: Db;
  now: () => Date;
}

const AVAILABILITY_CACHE_CONTROL = 'public, max-age=5, stale-while-revalidate=30';
const cacheHeaders = (etag: string) => ({ ETag: etag, 'Cache-Control': AVAILABILITY_CACHE_CONTROL });

/** Validates a facility id from the path; a malformed id is a bad request, not a miss. */
function parseFacilityId(raw: string): string {
  if (!slugSchema.safeParse(raw).success) {
    throw new ApiError('BAD_REQUEST', 'facility id must be a lower-case slug of 1–64 characters (a–z, 0–9, _ . -)');
  }
  return raw;
}

function parseFormat(raw: string | undefined): 'json' | 'text' {
  if (raw === undefined || raw === 'json') return 'json';
  if (raw === 'text') return 'text';
  throw new ApiError('BAD_REQUEST', 'format must be "json" or "text"');
}

const facilityNotFound = (id: string) => new ApiError('NOT_FOUND', `no facility "${id}"`);

function toSpotInput(spot: SpotRecord) {
  const { sensor, sensorState } = spot;
  return {
    closed: spot.closed,
    sensor,
    // A sensor heard without an occupancy reading (heartbeat only) tells nothing about the bay.
    state: sensorState?.occupied == null ? null : { occupied: sensorState.occupied, lastSeenAt: sensorState.lastSeenAt },
  };
}

/** Creates the `/v1/facilities` routes. */
export function createFacilitiesRoutes({ db, now }: FacilitiesRoutesOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const facilities = await listFacilities(db);
    return c.json({ items: facilities.map(toFacilitySummaryView) });
  });

  app.get('/:id', async (c) => {
    const id = parseFacilityId(c.req.param('id'));
    const facility = await findFacility(db, id);
    if (!facility) throw facilityNotFound(id);
    return c.json(toFacilityDetailView(facility));
  });

  app.get('/:id/spots', async (c) => {
    const id = parseFacilityId(c.req.param('id'));
    const [facility, spots] = await Promise.all([findFacility(db, id), listSpots(db, id)]);
    if (!facility) throw facilityNotFound(id);
    const at = now();
    return c.json({ items: spots.map((s) => toSpotView(s, computeSpotStatus(toSpotInput(s), at))) });
  });

  app.get('/:id/availability', async (c) => {
    const id = parseFacilityId(c.req.param('id'));
    const format = parseFormat(c.req.query('format'));
    const ifNoneMatch = c.req.header('If-None-Match');
    if (ifNoneMatch !== undefined) {
      // The signage hot path: one primary-key read of the version, no body built.
      const version = await findFacilityVersion(db, id);
      if (version !== undefined) {
        const etag = formatAvailabilityEtag(id, version);
        if (matchesIfNoneMatch(ifNoneMatch, etag)) return c.body(null, 304, cacheHeaders(etag));
      }
    }
    const facility = await findFacility(db, id);
    if (!facility) throw facilityNotFound(id);
    // The ETag comes from the same row as the body, so the two can never disagree.
    const etag = formatAvailabilityEtag(id, facility.state.version);
    if (matchesIfNoneMatch(ifNoneMatch, etag)) return c.body(null, 304, cacheHeaders(etag));
    c.header('ETag', etag);
    c.header('Cache-Control', AVAILABILITY_CACHE_CONTROL);
    if (format === 'text') return c.text(facility.state.status === 'unknown' ? '-' : String(facility.state.free));
    return c.json(toFacilityAvailabilityView(facility));
  });

  return app;
}
