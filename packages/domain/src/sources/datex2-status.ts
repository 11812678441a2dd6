import { XMLParser } from 'fast-xml-parser';
import { malformed, type ParseFeedResult, type SourceReading, toCount, toDate } from './source-reading.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // No entity expansion: a feed is data, and DOCTYPE tricks stay text.
  processEntities: false,
  isArray: (name) => name === 'parkingStatusInformation' || name === 'parkingRecordStatus' || name === 'payloadPublication',
});

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const child = (n: unknown, key: string): Node | undefined => {
  const v = isNode(n) ? n[key] : undefined;
  return isNode(v) ? v : undefined;
};
const text = (n: unknown, key: string): unknown => {
  const v = isNode(n) ? n[key] : undefined;
  return isNode(v) ? v['#text'] : v;
};

function opening(...values: unknown[]): SourceReading['opening'] {
  for (const v of values) {
    if (typeof v !== 'string') continue;
    if (v === 'open' || v === 'openWithServiceLimitation' || v === 'spacesAvailable' || v === 'almostFull' || v === 'full') return 'open';
    if (/^(closed|temporarilyClosed|closedOnHoliday|closedOnMaintenance|closedAbnormal)$/.test(v)) return 'closed';
  }
  return 'unknown';
}

/** DATEX II v3.6 `ParkingStatusInformation` (fac:reference, fac:lastUpdated, prk:occupancy). */
function readStatusInformation(s: Node): SourceReading | null {
  const id = child(s, 'reference')?.['@id'];
  if (typeof id !== 'string' || id === '') return null;
  const occ = child(s, 'occupancy');
  return {
    siteId: id,
    observedAt: toDate(text(s, 'lastUpdated')),
    free: toCount(text(occ, 'numberOfVacantSpaces')),
    occupied: toCount(text(occ, 'numberOfOccupiedSpaces')),
    capacity: toCount(text(occ, 'numberOfSpacesOverride')),
    opening: opening(text(s, 'openingStatus'), text(s, 'status')),
  };
}

/** DATEX II v2.3 (and v3.0–3.5) `ParkingRecordStatus` (parkingRecordReference, parkingOccupancy). */
function readRecordStatus(s: Node): SourceReading | null {
  const id = child(s, 'parkingRecordReference')?.['@id'];
  if (typeof id !== 'string' || id === '') return null;
  const occ = child(s, 'parkingOccupancy');
  return {
    siteId: id,
    observedAt: toDate(text(s, 'parkingStatusOriginTime')) ?? toDate(text(s, 'lastUpdated')),
    free: toCount(text(occ, 'parkingNumberOfVacantSpaces')),
    occupied: toCount(text(occ, 'parkingNumberOfOccupiedSpaces')),
    capacity: toCount(text(occ, 'parkingNumberOfSpacesOverride')),
    opening: opening(text(s, 'parkingSiteOpeningStatus'), text(s, 'parkingSiteStatus')),
  };
}

function parseXml(body: string): Node | string {
  try {
    const doc: unknown = parser.parse(body, true);
    return isNode(doc) ? doc : 'not an XML document';
  } catch (err) {
    return `not well-formed XML: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`;
  }
}

function readPublication(publication: Node): ParseFeedResult {
  const type = String(publication['@type'] ?? '').replace(/^.*:/, '');
  if (type !== 'ParkingStatusPublication') return malformed(`expected a ParkingStatusPublication, got "${type || 'no xsi:type'}"`);
  const records = [
    ...((publication.parkingStatusInformation as unknown[] | undefined) ?? []).map((s) => (isNode(s) ? readStatusInformation(s) : null)),
    ...((publication.parkingRecordStatus as unknown[] | undefined) ?? []).map((s) => (isNode(s) ? readRecordStatus(s) : null)),
  ];
  return { ok: true, publishedAt: toDate(text(publication, 'publicationTime')), readings: records.filter((r) => r !== null) };
}

/** Reads a DATEX II v3 `d2:payload` holding a `ParkingStatusPublication` (v3.6 and earlier v3 element names). */
export function parseDatex2V3Status(body: string): ParseFeedResult {
  const doc = parseXml(body);
  if (typeof doc === 'string') return malformed(doc);
  const payload = child(doc, 'payload');
  if (!payload) return malformed('no DATEX II v3 payload element');
  return readPublication(payload);
}

/** Reads a DATEX II v2.3 `d2LogicalModel` holding a `ParkingStatusPublication`. */
export function parseDatex2V2Status(body: string): ParseFeedResult {
  const doc = parseXml(body);
  if (typeof doc === 'string') return malformed(doc);
  const publication = (child(doc, 'd2LogicalModel')?.payloadPublication as unknown[] | undefined)?.[0];
  if (!isNode(publication)) return malformed('no DATEX II v2 d2LogicalModel/payloadPublication');
  return readPublication(publication);
}
