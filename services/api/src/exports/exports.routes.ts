import type { Logger } from '@freiplatz/config';
import type { Db } from '@freiplatz/db';
import { Hono } from 'hono';
import { getQueryParam } from 'hono/utils/url';
import type { FastRead } from '../answers/node-adapter.js';
import type { AppEnv } from '../app-env.js';
import type { FacilityCache } from '../state/facility-cache.js';
import { renderDatex2Status } from './datex2-status.js';
import { renderDatex2Table } from './datex2-table.js';
import { createFeed, type Feed, type FeedOptions } from './feed.js';
import { createNgsiLd } from './ngsi-ld.routes.js';
import { renderParkApiSites, renderParkApiSpots } from './parkapi-v3.js';
import { createPublicationSource } from './publication.js';
import { createSpotSnapshot } from './spot-snapshot.js';

export interface ExportsOptions {
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
const NGSI_ENTITIES = '/ngsi-ld/v1/entities';

/**
 * Open-data exports (DATEX II v3.6, ParkAPI v3, NGSI-LD), all served from the in-memory facility
 * state: the Hono routes, and a raw node fast path that writes the same renderings.
 */
export function createExports({ db, cache, logger, now }: ExportsOptions) {
  const publication = createPublicationSource(db, logger);
  const spots = createSpotSnapshot(db, now);
  const feed = (name: string, contentType: string, cacheControl: string, render: FeedOptions['render'], headers = {}) =>
    createFeed({ cache, publication, name, contentType, cacheControl, render, ...headers });

  const byPath = new Map<string, Feed>([
    ['/v1/exports/datex2/parking-table', feed('d2t', XML, STATIC, renderDatex2Table)],
    ['/v1/exports/datex2/parking-status', feed('d2s', XML, LIVE, renderDatex2Status)],
    ['/v1/exports/parkapi/v3/parking-sites', feed('pas', JSON_TYPE, LIVE, (entries, p) => renderParkApiSites(entries, p))],
    [
      '/v1/exports/parkapi/v3/parking-spots',
      feed('pap', JSON_TYPE, LIVE, async (entries, p) => renderParkApiSpots(entries, await spots.spotsOf(entries), p)),
    ],
  ]);
  const ngsi = createNgsiLd({ cache, publication, spots, feed });

  const routes = new Hono<AppEnv>();
  for (const [path, f] of byPath) routes.get(path, (c) => f(c));
  routes.route('/ngsi-ld/v1', ngsi.routes);

  /** The raw node path: a feed's current rendering, when one is known without waiting; anything unusual is Hono's. */
  const fastRead: FastRead = {
    prepare(url, req) {
      const query = url.indexOf('?');
      if (query < 0) return byPath.get(url)?.prepareNode(req.headers);
      if (url.slice(0, query) !== NGSI_ENTITIES) return undefined;
      try {
        return ngsi.listFeedFor(getQueryParam(`http://h${url}`) as Record<string, string>, req.headers.accept).prepareNode(req.headers);
      } catch {
        return undefined;
      }
    },
  };
  return { routes, fastRead };
}
