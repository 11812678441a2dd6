import { z } from 'zod';
import { malformed, type ParseFeedResult } from './source-reading.js';

// Field names as in ParkenDD/parkapi-sources-v3 src/parkapi_sources/models/parking_site_inputs.py
// (RealtimeParkingSiteInput) and its enums.py (OpeningStatus).
const count = z.number().int().min(0).max(1_000_000).nullish();
const siteSchema = z.looseObject({
  uid: z.string().min(1).max(256),
  capacity: count,
  realtime_capacity: count,
  realtime_free_capacity: count,
  realtime_data_updated_at: z.iso.datetime({ offset: true }).nullish(),
  realtime_opening_status: z.enum(['OPEN', 'CLOSED', 'UNKNOWN']).nullish(),
  has_realtime_data: z.boolean().nullish(),
});
const feedSchema = z.union([z.looseObject({ items: z.array(siteSchema) }), z.array(siteSchema)]);

/** Reads a ParkAPI v3 parking-sites list (`{items: [...]}` or a bare array) with realtime fields. */
export function parseParkApiV3(body: string): ParseFeedResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return malformed('not JSON');
  }
  const parsed = feedSchema.safeParse(json);
  if (!parsed.success) return malformed(`not a ParkAPI v3 parking-site list: ${parsed.error.issues[0]?.message ?? ''}`.slice(0, 300));
  const items = Array.isArray(parsed.data) ? parsed.data : parsed.data.items;
  const readings = items
    .filter((s) => s.has_realtime_data !== false)
    .map((s) => ({
      siteId: s.uid,
      observedAt: s.realtime_data_updated_at ? new Date(s.realtime_data_updated_at) : null,
      free: s.realtime_free_capacity ?? null,
      occupied: null,
      capacity: s.realtime_capacity ?? s.capacity ?? null,
      opening:
        s.realtime_opening_status === 'OPEN'
          ? ('open' as const)
          : s.realtime_opening_status === 'CLOSED'
            ? ('closed' as const)
            : ('unknown' as const),
    }));
  return { ok: true, publishedAt: null, readings };
}
