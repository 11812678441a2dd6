import { type Context, Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { ApiError } from '../errors.js';
import { matchesIfNoneMatch } from '../etag.js';
import { requireFacility } from '../routes/facilities.js';
import type { FacilityCache } from '../state/facility-cache.js';
import type { FacilityEntry } from '../state/facility-entry.js';
import type { createFeed } from './feed.js';
import {
  NGSI_LD_CONTEXT,
  type NgsiEntityType,
  ngsiEntityTypes,
  siteTypeOf,
  toNormalized,
  toSiteEntity,
  toSpotEntity,
  withContext,
} from './ngsi-ld.js';
import type { Publication, PublicationSource } from './publication.js';
import type { createSpotSnapshot } from './spot-snapshot.js';

type Feed = ReturnType<typeof createFeed>;
type Render = Parameters<typeof createFeed>[0]['render'];

export interface NgsiLdRoutesOptions {
  cache: FacilityCache;
  publication: PublicationSource;
  spots: ReturnType<typeof createSpotSnapshot>;
  feed: (name: string, contentType: string, cacheControl: string, render: Render, headers?: { vary?: string; link?: string }) => Feed;
}

const CONTEXT_LINK = `<${NGSI_LD_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;

/** How the client asked for entities: key-values or normalized, JSON (context in a Link header) or JSON-LD (context in the body). */
interface Representation {
  keyValues: boolean;
  ld: boolean;
}

type Query = Record<string, string | undefined>;

function parseRepresentation(query: Query, accept: string | undefined): Representation {
  const options = (query.options ?? '').split(',').filter((o) => o !== '');
  for (const o of options) {
    if (o !== 'keyValues' && o !== 'normalized' && o !== 'sysAttrs')
      throw new ApiError('BAD_REQUEST', 'options must be "keyValues" or "normalized"');
  }
  const format = query.format;
  if (format !== undefined && format !== 'simplified' && format !== 'normalized' && format !== 'keyValues')
    throw new ApiError('BAD_REQUEST', 'format must be "simplified" (keyValues) or "normalized"');
  const keyValues = options.includes('keyValues') || format === 'simplified' || format === 'keyValues';
  return { keyValues, ld: /application\/ld\+json/.test(accept ?? '') };
}

function parseTypes(raw: string | undefined): NgsiEntityType[] {
  if (raw === undefined || raw === '')
    throw new ApiError('BAD_REQUEST', `type is required: ${ngsiEntityTypes.join(', ')} (comma-separated)`);
  const types = [...new Set(raw.split(/[,|]/))].sort();
  for (const t of types) {
    if (!(ngsiEntityTypes as readonly string[]).includes(t)) throw new ApiError('BAD_REQUEST', `unknown entity type "${t.slice(0, 64)}"`);
  }
  return types as NgsiEntityType[];
}

const present = (entity: Record<string, unknown>, r: Representation) => {
  const shaped = r.keyValues ? entity : toNormalized(entity);
  return r.ld ? withContext(shaped) : shaped;
};

const requestQuery = (c: Context<AppEnv>): Query => c.req.query();

/** `/ngsi-ld/v1/entities` (by type) and `/ngsi-ld/v1/entities/{id}`: FIWARE parking entities from the in-memory state. */
export function createNgsiLd({ cache, publication, spots, feed }: NgsiLdRoutesOptions) {
  const feeds = new Map<string, Feed>();
  const entitiesOf = async (entries: readonly FacilityEntry[], types: readonly NgsiEntityType[], p: Publication) => {
    const out: Record<string, unknown>[] = [];
    for (const e of entries) if (types.includes(siteTypeOf(e.record))) out.push(toSiteEntity(e.record, p));
    if (types.includes('ParkingSpot')) {
      const byFacility = await spots.spotsOf(entries);
      for (const e of entries) for (const s of byFacility.get(e.id) ?? []) out.push(toSpotEntity(s, e.record, p, e.record.state.updatedAt));
    }
    return out;
  };
  const listFeed = (types: NgsiEntityType[], r: Representation) => {
    const key = `${types.join(',')}|${r.keyValues ? 'kv' : 'n'}|${r.ld ? 'ld' : 'json'}`;
    let f = feeds.get(key);
    if (!f) {
      const name = `ngsi-${types.map((t) => t.slice(0, 3).toLowerCase()).join('')}-${r.keyValues ? 'kv' : 'n'}${r.ld ? 'ld' : ''}`;
      f = feed(
        name,
        r.ld ? 'application/ld+json' : 'application/json',
        'public, max-age=5, stale-while-revalidate=30',
        async (entries, p) => JSON.stringify((await entitiesOf(entries, types, p)).map((e) => present(e, r))),
        { vary: 'Accept, Accept-Encoding', ...(r.ld ? {} : { link: CONTEXT_LINK }) },
      );
      feeds.set(key, f);
    }
    return f;
  };

  const app = new Hono<AppEnv>();
  /** The list feed a query asks for; throws a BAD_REQUEST ApiError for a bad one. */
  const listFeedFor = (query: Query, accept: string | undefined) => listFeed(parseTypes(query.type), parseRepresentation(query, accept));
  app.get('/entities', (c) => listFeedFor(requestQuery(c), c.req.header('Accept'))(c));

  app.get('/entities/:id', async (c) => {
    const r = parseRepresentation(requestQuery(c), c.req.header('Accept'));
    const match = /^urn:ngsi-ld:(OffStreetParking|OnStreetParking|ParkingSpot):(.{1,64})$/.exec(c.req.param('id'));
    if (!match) throw new ApiError('BAD_REQUEST', 'id must be urn:ngsi-ld:<OffStreetParking|OnStreetParking|ParkingSpot>:<id>');
    const [, type, id] = match as unknown as [string, NgsiEntityType, string];
    const p = await publication.get();
    let entity: Record<string, unknown> | undefined;
    let version = '';
    if (type === 'ParkingSpot') {
      const layout = cache.currentLayout() ?? (await cache.layout());
      const entries = layout.slots.map((s) => s.entry);
      const byFacility = await spots.spotsOf(entries);
      for (const e of entries) {
        const spot = byFacility.get(e.id)?.find((s) => s.id === id);
        if (spot) {
          entity = toSpotEntity(spot, e.record, p, e.record.state.updatedAt);
          version = `spot-${spot.id}-${e.version}`;
          break;
        }
      }
      if (!entity) throw new ApiError('NOT_FOUND', `no entity "${c.req.param('id')}"`);
    } else {
      const entry = await requireFacility(cache, id);
      if (siteTypeOf(entry.record) !== type) throw new ApiError('NOT_FOUND', `no entity "${c.req.param('id')}"`);
      entity = toSiteEntity(entry.record, p);
      version = `${entry.id}-${entry.version}`;
    }
    const etag = `"ngsi-${version}-${r.keyValues ? 'kv' : 'n'}${r.ld ? '-ld' : ''}"`;
    const headers: Record<string, string> = {
      ETag: etag,
      Vary: 'Accept',
      'Cache-Control': 'public, max-age=5',
      Link: [`<${p.licence.url}>; rel="license"`, ...(r.ld ? [] : [CONTEXT_LINK])].join(', '),
    };
    if (matchesIfNoneMatch(c.req.header('If-None-Match'), etag)) return c.body(null, 304, headers);
    return c.body(JSON.stringify(present(entity, r)), 200, {
      ...headers,
      'Content-Type': r.ld ? 'application/ld+json' : 'application/json',
    });
  });
  return { routes: app, listFeedFor };
}
