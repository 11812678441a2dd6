/** What a guidance system said about one of its sites, in its own ids. */
export interface SourceReading {
  /** The site id in the source's feed. */
  siteId: string;
  /** When the source observed the counts; null when the feed does not say. */
  observedAt: Date | null;
  /** Vacant spaces; null when not given. */
  free: number | null;
  /** Occupied spaces; null when not given. */
  occupied: number | null;
  /** Capacity as the source counts it right now; null when not given. */
  capacity: number | null;
  opening: 'open' | 'closed' | 'unknown';
}

/** A parsed feed, or exactly why it could not be read. */
export type ParseFeedResult =
  | { ok: true; publishedAt: Date | null; readings: SourceReading[] }
  | { ok: false; code: 'MALFORMED'; reason: string };

/** A non-negative integer from feed text, or null. */
export function toCount(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (!/^\d{1,7}$/.test(text)) return null;
  return Number(text);
}

/** A timestamp from feed text, or null. */
export function toDate(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const d = new Date(value.trim());
  return Number.isNaN(d.getTime()) ? null : d;
}

export const malformed = (reason: string): ParseFeedResult => ({ ok: false, code: 'MALFORMED', reason });
