import type { Counts, SpotCategory } from '@freiplatz/domain';
import type { FacilityEntry } from '../state/facility-entry.js';
import type { Hit } from './geo.js';
import type { SearchResult } from './search-facilities.js';
import type { SearchQuery } from './search-query.js';
import { encodeCursor } from './search-query.js';

function categoryView(entry: FacilityEntry, category: SpotCategory) {
  const c: Counts | undefined = entry.record.state.byCategory[category];
  return { name: category, capacity: c?.capacity ?? 0, free: c?.free ?? 0, occupied: c?.occupied ?? 0, unknown: c?.unknown ?? 0 };
}

/** True when the client asks for GeoJSON. */
export const wantsGeoJson = (accept: string | undefined) => accept?.includes('application/geo+json') ?? false;

const roundDistance = (d: number) => Math.round(d);

/** Renders a result page as JSON text, concatenating each facility's memoised summary. */
export function renderSearchJson(result: SearchResult, q: SearchQuery): string {
  const items = result.hits.map(({ slot, distance }: Hit) => {
    const { entry } = slot;
    let extra = '';
    if (q.near) extra += `"distance":${roundDistance(distance)},`;
    if (q.category) extra += `"category":${JSON.stringify(categoryView(entry, q.category))},`;
    return extra === '' ? entry.summaryJson : `{${extra}${entry.summaryJson.slice(1)}`;
  });
  const next = result.next ? JSON.stringify(encodeCursor(result.next)) : 'null';
  return `{"items":[${items.join(',')}],"nextCursor":${next}}`;
}

/** Renders a result page as a GeoJSON FeatureCollection (RFC 7946); `nextCursor` is a foreign member. */
export function renderSearchGeoJson(result: SearchResult, q: SearchQuery) {
  return {
    type: 'FeatureCollection' as const,
    features: result.hits.map(({ slot, distance }) => {
      const { location, ...properties } = slot.entry.summary;
      return {
        type: 'Feature' as const,
        id: slot.id,
        geometry: { type: 'Point' as const, coordinates: [location.lon, location.lat] },
        properties: {
          ...properties,
          ...(q.near ? { distance: roundDistance(distance) } : {}),
          ...(q.category ? { category: categoryView(slot.entry, q.category) } : {}),
        },
      };
    }),
    nextCursor: result.next ? encodeCursor(result.next) : null,
  };
}
