import { type FacilityKind, facilityKinds, type SpotCategory, spotCategories } from '@freiplatz/domain';
import { z } from 'zod';
import { ApiError } from '../errors.js';

export const MAX_RADIUS_M = 50_000;
export const DEFAULT_RADIUS_M = 5_000;
export const MAX_LIMIT = 200;
export const DEFAULT_LIMIT = 50;

const num = String.raw`-?\d{1,3}(?:\.\d{1,12})?`;
const NEAR = new RegExp(`^${num},${num}$`);

/** Query parameters of `GET /v1/facilities`, as documented; `parseSearchQuery` turns them into a `SearchQuery`. */
export const searchQuerySchema = z.object({
  near: z
    .string()
    .regex(NEAR, 'must be "lat,lon" in decimal degrees')
    .optional()
    .meta({ description: 'Search around this point, `lat,lon` in WGS 84; results are sorted by distance.', example: '52.1277,11.6292' }),
  radius: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_RADIUS_M)
    .optional()
    .meta({ description: `Metres around \`near\` (default ${DEFAULT_RADIUS_M}, at most ${MAX_RADIUS_M}).`, example: 2000 }),
  bbox: z
    .string()
    .regex(new RegExp(`^${num},${num},${num},${num}$`), 'must be "minLon,minLat,maxLon,maxLat"')
    .optional()
    .meta({ description: 'Only facilities inside this box: `minLon,minLat,maxLon,maxLat`.', example: '11.60,52.10,11.68,52.16' }),
  kind: z
    .string()
    .regex(
      new RegExp(`^(${facilityKinds.join('|')})(,(${facilityKinds.join('|')}))*$`),
      `must be one or more of ${facilityKinds.join(', ')}`,
    )
    .optional()
    .meta({ description: 'Only these kinds (comma-separated).', example: 'car_park,rv_site' }),
  category: z.enum(spotCategories).optional().meta({
    description:
      'Only facilities with spots of this category; each item’s `availability` (counts and status) is then that category’s, repeated with its name under `category`.',
  }),
  available: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: '`true`: only facilities with free spaces (of `category`, if given) that are not closed.' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .optional()
    .meta({ description: `Page size (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}).` }),
  cursor: z.string().max(300).optional().meta({ description: 'Opaque `nextCursor` of the previous page.' }),
});

export type SearchCursor = { by: 'distance'; distance: number; id: string } | { by: 'id'; id: string };

export interface SearchQuery {
  near: { lat: number; lon: number; radius: number } | null;
  bbox: { minLon: number; minLat: number; maxLon: number; maxLat: number } | null;
  kinds: ReadonlySet<FacilityKind> | null;
  category: SpotCategory | null;
  available: boolean;
  limit: number;
  cursor: SearchCursor | null;
}

const badParameter = (name: string, message: string) => new ApiError('BAD_REQUEST', `invalid query parameter "${name}": ${message}`);

/** Encodes a page position as an opaque URL-safe string. */
export function encodeCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify(cursor.by === 'distance' ? [cursor.distance, cursor.id] : [cursor.id])).toString('base64url');
}

function decodeCursor(raw: string, byDistance: boolean): SearchCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badParameter('cursor', 'not a cursor of this search');
  }
  if (byDistance && Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') {
    return { by: 'distance', distance: parsed[0], id: parsed[1] };
  }
  if (!byDistance && Array.isArray(parsed) && parsed.length === 1 && typeof parsed[0] === 'string') return { by: 'id', id: parsed[0] };
  throw badParameter('cursor', 'not a cursor of this search');
}

/** Validates and converts search parameters; a bad one is a 400 that names it. */
export function parseSearchQuery(query: Record<string, string>): SearchQuery {
  const result = searchQuerySchema.safeParse(query);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw badParameter(String(issue?.path[0] ?? 'query'), issue?.message ?? 'invalid');
  }
  const q = result.data;
  let near: SearchQuery['near'] = null;
  if (q.near !== undefined) {
    const [lat, lon] = q.near.split(',').map(Number) as [number, number];
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) throw badParameter('near', 'latitude must be within ±90 and longitude within ±180');
    near = { lat, lon, radius: q.radius ?? DEFAULT_RADIUS_M };
  } else if (q.radius !== undefined) {
    throw badParameter('radius', 'needs "near"');
  }
  let bbox: SearchQuery['bbox'] = null;
  if (q.bbox !== undefined) {
    const [minLon, minLat, maxLon, maxLat] = q.bbox.split(',').map(Number) as [number, number, number, number];
    if ([minLat, maxLat].some((v) => Math.abs(v) > 90) || [minLon, maxLon].some((v) => Math.abs(v) > 180)) {
      throw badParameter('bbox', 'latitudes must be within ±90 and longitudes within ±180');
    }
    if (minLon > maxLon || minLat > maxLat) throw badParameter('bbox', 'minimum must not exceed maximum');
    bbox = { minLon, minLat, maxLon, maxLat };
  }
  return {
    near,
    bbox,
    kinds: q.kind === undefined ? null : new Set(q.kind.split(',') as FacilityKind[]),
    category: q.category ?? null,
    available: q.available === 'true',
    limit: q.limit ?? DEFAULT_LIMIT,
    cursor: q.cursor === undefined ? null : decodeCursor(q.cursor, near !== null),
  };
}
