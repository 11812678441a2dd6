import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FacilityKind } from '@freiplatz/domain';
import { computeTargetOccupancy, readLocalTime } from './occupancy-profile.js';

export interface GuidanceFeedOptions {
  /** The site id the city's guidance system uses (what the registry's `idMap` maps). */
  siteId: string;
  kind: FacilityKind;
  capacity: number;
  timeZone?: string;
  /** How often the count moves (default 30 s). */
  updateIntervalMs?: number;
  host?: string;
  port?: number;
  now?: () => number;
}

export interface GuidanceFeed {
  /** Where the DATEX II v3 status is served. */
  url: string;
  /** The vehicles the feed currently reports. */
  vehicles(): number;
  close(): Promise<void>;
}

const xmlText = (s: string) => s.replace(/[<>&]/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** One site's DATEX II v3.6 ParkingStatusPublication, as a car-park guidance system would publish it. */
export function renderGuidanceStatus(siteId: string, capacity: number, vehicles: number, at: Date): string {
  const vacant = capacity - vehicles;
  return `<?xml version="1.0" encoding="UTF-8"?>
<d2:payload xmlns:d2="http://datex2.eu/schema/3/d2Payload" xmlns:com="http://datex2.eu/schema/3/common" xmlns:prk="http://datex2.eu/schema/3/parking" xmlns:fac="http://datex2.eu/schema/3/facilities" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="prk:ParkingStatusPublication" lang="de" modelBaseVersion="3">
<com:publicationTime>${at.toISOString()}</com:publicationTime>
<com:publicationCreator><com:country>DE</com:country><com:nationalIdentifier>Parkleitsystem (Simulator)</com:nationalIdentifier></com:publicationCreator>
<prk:parkingStatusInformation xsi:type="prk:PlaceStatus">
<fac:reference targetClass="fac:FacilityObject" id="${xmlText(siteId)}" version="1"/>
<fac:lastUpdated>${at.toISOString()}</fac:lastUpdated>
<fac:openingStatus>open</fac:openingStatus>
<prk:occupancy><prk:numberOfVacantSpaces>${vacant}</prk:numberOfVacantSpaces><prk:numberOfOccupiedSpaces>${vehicles}</prk:numberOfOccupiedSpaces></prk:occupancy>
<prk:status>${vacant === 0 ? 'full' : 'spacesAvailable'}</prk:status>
</prk:parkingStatusInformation>
</d2:payload>
`;
}

/**
 * A small car-park guidance system for the demo: serves one site's count (following the day curve
 * of its kind) as DATEX II v3 over HTTP, with ETag and 304, for the ingest service's connector.
 */
export async function startGuidanceFeed(o: GuidanceFeedOptions): Promise<GuidanceFeed> {
  const now = o.now ?? Date.now;
  const count = () => {
    const target = computeTargetOccupancy(o.kind, readLocalTime(now(), o.timeZone ?? 'Europe/Berlin'));
    const wobble = Math.round((Math.random() - 0.5) * 0.04 * o.capacity);
    return Math.min(o.capacity, Math.max(0, Math.round(target * o.capacity) + wobble));
  };
  let current = { vehicles: count(), at: new Date(now()) };
  const timer = setInterval(() => {
    current = { vehicles: count(), at: new Date(now()) };
  }, o.updateIntervalMs ?? 30_000);
  timer.unref();
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/datex2/parking-status') return void res.writeHead(404).end();
    const body = renderGuidanceStatus(o.siteId, o.capacity, current.vehicles, current.at);
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { ETag: etag }).end();
    res.writeHead(200, { 'Content-Type': 'application/xml; charset=UTF-8', ETag: etag }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}/datex2/parking-status`,
    vehicles: () => current.vehicles,
    async close() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
