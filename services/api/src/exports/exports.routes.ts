import type { Logger } from '@freiplatz/config';
import type { Db } from '@freiplatz/db';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { FacilityCache } from '../state/facility-cache.js';
import { renderDatex2Status } from './datex2-status.js';
import { renderDatex2Table } from './datex2-table.js';
import { createFeed } from './feed.js';
import { createNgsiLdRoutes } from './ngsi-ld.routes.js';
import { renderParkApiSites, renderParkApiSpots } from './parkapi-v3.js';
import { createPublicationSource } from './publication.js';
import { createSpotSnapshot } from './spot-snapshot.js';

export interface ExportsRoutesOptions {
  db: Db;
  cache: FacilityCache;
  logger: Logger;
  now: () => Date;
}

const XML = 'application/xml; charset=UTF-8';
const JSON_TYPE = 'application/json';
/** Live status: as fresh as the signage resource. */
const LIVE = 'public, max-age=5, stale-while-revalidate=30';
/** Static tables change with registry imports only. */
const STATIC = 'public, max-age=300';

/** Open-data exports (DATEX II v3.6, ParkAPI v3, NGSI-LD), all served from the in-memory facility state. */
export function createExportsRoutes({ db, cache, logger, now }: ExportsRoutesOptions): Hono<AppEnv> {
  const publication = createPublicationSource(db, logger);
  const spots = createSpotSnapshot(db, now);
  const feed = (name: string, contentType: string, cacheControl: string, render: Parameters<typeof createFeed>[0]['render']) =>
    createFeed({ cache, publication, name, contentType, cacheControl, render });

  const datex2Table = feed('d2t', XML, STATIC, renderDatex2Table);
  const datex2Status = feed('d2s', XML, LIVE, renderDatex2Status);
  const parkApiSites = feed('pas', JSON_TYPE, LIVE, (entries, p) => renderParkApiSites(entries, p));
  const parkApiSpots = feed('pap', JSON_TYPE, LIVE, async (entries, p) => renderParkApiSpots(entries, await spots.spotsOf(entries), p));

  const app = new Hono<AppEnv>();
  app.get('/v1/exports/datex2/parking-table', (c) => datex2Table(c));
  app.get('/v1/exports/datex2/parking-status', (c) => datex2Status(c));
  app.get('/v1/exports/parkapi/v3/parking-sites', (c) => parkApiSites(c));
  app.get('/v1/exports/parkapi/v3/parking-spots', (c) => parkApiSpots(c));
  app.route('/ngsi-ld/v1', createNgsiLdRoutes({ cache, publication, spots, feed }));
  return app;
}
