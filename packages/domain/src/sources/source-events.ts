import { MAX_CLOCK_SKEW_MS } from '../decode.js';
import type { CounterEvent } from '../event.js';
import { parseDatex2V2Status, parseDatex2V3Status } from './datex2-status.js';
import { parseParkApiV3 } from './parkapi-v3.js';
import { type DataSource, type SourceFormat, sourceSensorId, sourceStaleAfterSeconds } from './source.schema.js';
import type { ParseFeedResult, SourceReading } from './source-reading.js';

/** Parses a feed body in the source's format. */
export function parseSourceFeed(format: SourceFormat, body: string): ParseFeedResult {
  switch (format) {
    case 'datex2-v3-status':
      return parseDatex2V3Status(body);
    case 'datex2-v2-status':
      return parseDatex2V2Status(body);
    case 'parkapi-v3':
      return parseParkApiV3(body);
  }
}

export interface SourceEvents {
  /** One counter event per mapped facility with a usable, fresh reading. */
  events: CounterEvent[];
  /** Facility → when its reading was observed (for heartbeats on a 304). */
  observed: Map<string, Date>;
  /** Their site ids not in the id map (logged, not an error). */
  unmapped: string[];
  /** Our facilities whose reading was unusable or older than the source's stale limit. */
  skipped: string[];
}

/** The vehicles a reading means for a facility of `capacity`: our capacity less their vacant spaces, else their occupied count. */
function vehiclesOf(r: SourceReading, capacity: number): number | null {
  if (r.free !== null) return capacity - r.free;
  return r.occupied;
}

/**
 * Turns a source's readings into counter events of its synthetic counters (`sourceSensorId`), which
 * then take the commit path of every counter event. The event time is when the source observed the
 * counts (publication time, else arrival), so a reading read twice is a duplicate. A reading already
 * older than the stale limit on arrival gives no event: its facility turns unknown, never free.
 */
export function toSourceEvents(
  source: DataSource,
  parsed: { publishedAt: Date | null; readings: readonly SourceReading[] },
  capacities: ReadonlyMap<string, number>,
  receivedAt: Date,
): SourceEvents {
  const out: SourceEvents = { events: [], observed: new Map(), unmapped: [], skipped: [] };
  const staleMs = sourceStaleAfterSeconds(source) * 1000;
  for (const r of parsed.readings) {
    const facilityId = source.idMap[r.siteId];
    if (facilityId === undefined) {
      out.unmapped.push(r.siteId);
      continue;
    }
    const capacity = capacities.get(facilityId);
    const vehicles = capacity === undefined ? null : vehiclesOf(r, capacity);
    let ts = r.observedAt ?? parsed.publishedAt ?? receivedAt;
    const flags: CounterEvent['flags'] = r.observedAt === null && parsed.publishedAt === null ? ['no_ts'] : [];
    if (ts.getTime() - receivedAt.getTime() > MAX_CLOCK_SKEW_MS) {
      ts = receivedAt;
      flags.push('clock_skew');
    }
    if (vehicles === null || receivedAt.getTime() - ts.getTime() > staleMs) {
      out.skipped.push(facilityId);
      continue;
    }
    out.observed.set(facilityId, ts);
    out.events.push({
      kind: 'counter',
      sensorId: sourceSensorId(source.id, facilityId),
      ts,
      seq: null,
      receivedAt,
      battery: null,
      rssi: null,
      flags,
      vehicles,
      entered: null,
      exited: null,
    });
  }
  return out;
}

/**
 * A 304 (nothing changed): a heartbeat for each facility whose last reading is still fresh, so its
 * counts stay known; no count moves. Facilities whose reading has aged past the limit get none.
 */
export function toSourceHeartbeats(source: DataSource, observed: ReadonlyMap<string, Date>, receivedAt: Date): CounterEvent[] {
  const staleMs = sourceStaleAfterSeconds(source) * 1000;
  return [...observed]
    .filter(([, at]) => receivedAt.getTime() - at.getTime() <= staleMs)
    .map(([facilityId]) => ({
      kind: 'counter' as const,
      sensorId: sourceSensorId(source.id, facilityId),
      ts: receivedAt,
      seq: null,
      receivedAt,
      battery: null,
      rssi: null,
      flags: [],
      vehicles: null,
      entered: null,
      exited: null,
    }));
}
