import { toCategoryView, toFacilitySummaryView } from '../facility-view.js';
import type { Hit } from './geo.js';
import type { SearchResult } from './search-facilities.js';
import type { SearchQuery } from './search-query.js';
import { encodeCursor } from './search-query.js';

/** True when the client asks for GeoJSON. */
export const wantsGeoJson = (accept: string | undefined) => accept?.includes('application/geo+json') ?? false;

const roundDistance = (d: number) => Math.round(d);

/** Renders a result page as a GeoJSON FeatureCollection (RFC 7946); `nextCursor` is a foreign member. */
export function renderSearchGeoJson(result: SearchResult, q: SearchQuery) {
  return {
    type: 'FeatureCollection' as const,
    features: result.hits.map(({ slot, distance }) => {
      const { record } = slot.entry;
      const { location, ...properties } = q.category ? toFacilitySummaryView(record, q.category) : slot.entry.summary;
      return {
        type: 'Feature' as const,
        id: slot.id,
        geometry: { type: 'Point' as const, coordinates: [location.lon, location.lat] },
        properties: {
          ...properties,
          ...(q.near ? { distance: roundDistance(distance) } : {}),
          ...(q.category ? { category: toCategoryView(record.state, q.category) } : {}),
        },
      };
    }),
    nextCursor: result.next ? encodeCursor(result.next) : null,
  };
}

const ASCII = (s: string) => Buffer.from(s, 'latin1');
const ITEMS_OPEN = ASCII('{"items":[');
const ITEMS_CLOSE = ASCII('],"nextCursor":');
const DISTANCE = ASCII('{"distance":');
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const ZERO = 48;

/** True for the distances written digit by digit (all real ones); anything else is written as `String(d)`. */
const isPlainInteger = (d: number) => Number.isSafeInteger(d) && d >= 0;

// Bodies are carved from slabs, as Buffer's own pool does for small buffers (under 4 KiB): a fresh
// ArrayBuffer per 12 KB body costs more than the copying that fills it. Slabs stay small, since a
// body still waiting to be sent to a slow client keeps its whole slab alive.
const SLAB_BYTES = 64 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabUsed = 0;

/** An uninitialised buffer of `size` bytes; never handed out twice (a slab is dropped, not reused, once full). */
function allocBody(size: number): Buffer {
  if (size > SLAB_BYTES / 4) return Buffer.allocUnsafe(size);
  if (slabUsed + size > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + size);
  slabUsed += (size + 7) & ~7;
  return out;
}

/** Decimal digits of a non-negative safe integer. */
function digitCount(n: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  return digits;
}

/**
 * Renders a result page as UTF-8 JSON, built by copying each facility's memoised summary bytes into
 * one buffer (no text to join and encode per request).
 */
export function renderSearchJson(result: SearchResult, q: SearchQuery): Buffer {
  const { hits } = result;
  const near = q.near !== null;
  // Category searches are rare: their items (the category's view) are rendered as text, per item.
  const extras: string[] | null = q.category ? [] : null;
  const distances: number[] = [];
  let size = ITEMS_OPEN.length + ITEMS_CLOSE.length + 1 + Math.max(0, hits.length - 1);
  for (let k = 0; k < hits.length; k++) {
    const { slot, distance } = hits[k] as Hit;
    const entry = slot.entry;
    if (near) {
      const d = roundDistance(distance);
      distances.push(d);
      size += DISTANCE.length + 1 + (isPlainInteger(d) ? digitCount(d) : Buffer.byteLength(String(d)));
    }
    if (q.category) {
      const extra = `"category":${JSON.stringify(toCategoryView(entry.record.state, q.category))},${entry.categorySummaryJson(q.category).slice(1)}`;
      extras?.push(extra);
      size += Buffer.byteLength(extra) + (near ? 0 : 1);
    } else {
      size += near ? entry.summaryTail.length : entry.summaryBytes.length;
    }
  }
  const next = result.next ? JSON.stringify(encodeCursor(result.next)) : 'null';
  size += next.length;
  const out = allocBody(size);
  out.set(ITEMS_OPEN, 0);
  let at = ITEMS_OPEN.length;
  for (let k = 0; k < hits.length; k++) {
    if (k > 0) out[at++] = COMMA;
    const entry = (hits[k] as Hit).slot.entry;
    if (near) {
      out.set(DISTANCE, at);
      at += DISTANCE.length;
      const d = distances[k] as number;
      if (isPlainInteger(d)) {
        const end = at + digitCount(d);
        for (let x = d, p = end - 1; p >= at; p--, x = Math.floor(x / 10)) out[p] = ZERO + (x % 10);
        at = end;
      } else {
        at += out.write(String(d), at, 'utf8');
      }
      out[at++] = COMMA;
    } else if (extras !== null) {
      out[at++] = OPEN_BRACE;
    }
    if (extras !== null) {
      at += out.write(extras[k] as string, at, 'utf8');
      continue;
    }
    const bytes = near ? entry.summaryTail : entry.summaryBytes;
    out.set(bytes, at);
    at += bytes.length;
  }
  out.set(ITEMS_CLOSE, at);
  at += ITEMS_CLOSE.length;
  at += out.write(next, at, 'latin1');
  out[at++] = CLOSE_BRACE;
  if (at !== size) throw new Error(`search body measured ${size} bytes but ${at} were written`);
  return out;
}
