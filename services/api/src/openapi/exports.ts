import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { errorSchema, jsonResponse as json } from './schemas.js';

const cacheHeaders = {
  ETag: { schema: { type: 'string' as const }, description: 'Strong, from the content; send it as If-None-Match for a 304.' },
  'Last-Modified': { schema: { type: 'string' as const }, description: 'The newest state change; If-Modified-Since works too.' },
  Link: { schema: { type: 'string' as const }, description: 'The licence (`rel="license"`); for NGSI-LD also the JSON-LD `@context`.' },
};
const licenceNote =
  'Published under the registry’s licence (default Datenlizenz Deutschland – Namensnennung – Version 2.0) with its attribution; gzip on `Accept-Encoding: gzip`. Read from the in-memory state; spaces without fresh data are never published as free.';
const notModified = { description: 'Not modified (If-None-Match or If-Modified-Since).' };
const xml = (description: string) => ({ description, headers: cacheHeaders, content: { 'application/xml': { schema: z.string() } } });
const anyJson = (description: string, type = 'application/json') => ({
  description,
  headers: cacheHeaders,
  content: { [type]: { schema: z.record(z.string(), z.unknown()) } },
});
const ngsiQuery = z.object({
  options: z.enum(['keyValues', 'normalized']).optional().meta({ description: 'Representation; default normalized.' }),
  format: z.enum(['simplified', 'normalized']).optional().meta({ description: 'NGSI-LD 1.6 alias of `options`.' }),
});

/** The open-data exports (services/api/src/exports). */
export const exportRoutes = [
  createRoute({
    method: 'get',
    path: '/v1/exports/datex2/parking-table',
    tags: ['Open data'],
    summary: 'DATEX II v3.6 ParkingTablePublication',
    description: `Every facility as a \`Place\` with location, capacity and structure, and one \`SubplaceElement\` per spot category (disabled, EV, camper pitches as motorhome, …) with its capacity. ${licenceNote}`,
    responses: { 200: xml('A `d2:payload` valid against DATEXII_3_D2Payload.xsd.'), 304: notModified },
  }),
  createRoute({
    method: 'get',
    path: '/v1/exports/datex2/parking-status',
    tags: ['Open data'],
    summary: 'DATEX II v3.6 ParkingStatusPublication',
    description: `Per facility and category: opening status, vacant and occupied spaces, full / almost full, observation time. While some spaces are unknown only proven bounds are published; with the status unknown, no occupancy at all. ${licenceNote}`,
    responses: { 200: xml('A `d2:payload` valid against DATEXII_3_D2Payload.xsd.'), 304: notModified },
  }),
  createRoute({
    method: 'get',
    path: '/v1/exports/parkapi/v3/parking-sites',
    tags: ['Open data'],
    summary: 'ParkAPI v3 parking sites',
    description: `\`{license, attribution, items}\` with ParkAPI v3 field names (\`uid\`, \`capacity\`, \`realtime_free_capacity\`, \`realtime_opening_status\`, restrictions by audience: DISABLED, CHARGING, CARAVAN, …). ${licenceNote}`,
    responses: { 200: anyJson('The parking sites.'), 304: notModified },
  }),
  createRoute({
    method: 'get',
    path: '/v1/exports/parkapi/v3/parking-spots',
    tags: ['Open data'],
    summary: 'ParkAPI v3 parking spots',
    description: `Every spot with \`realtime_status\` AVAILABLE, TAKEN or UNKNOWN. ${licenceNote}`,
    responses: { 200: anyJson('The parking spots.'), 304: notModified },
  }),
  createRoute({
    method: 'get',
    path: '/ngsi-ld/v1/entities',
    tags: ['Open data'],
    summary: 'NGSI-LD entities (FIWARE OffStreetParking, OnStreetParking, ParkingSpot)',
    description: `All entities of the given types (FIWARE Smart Data Models, Parking). \`Accept: application/ld+json\` puts the \`@context\` in the body, otherwise it comes as a Link header. ${licenceNote}`,
    request: {
      query: ngsiQuery.extend({
        type: z.string().meta({ description: 'OffStreetParking, OnStreetParking and/or ParkingSpot, comma-separated.' }),
      }),
    },
    responses: {
      200: anyJson('An array of entities.'),
      304: notModified,
      400: json(errorSchema, 'No or an unknown type, or a bad option.'),
    },
  }),
  createRoute({
    method: 'get',
    path: '/ngsi-ld/v1/entities/{id}',
    tags: ['Open data'],
    summary: 'One NGSI-LD entity',
    description: 'By id, e.g. `urn:ngsi-ld:OffStreetParking:allee-center` or `urn:ngsi-ld:ParkingSpot:allee-center-001`.',
    request: { params: z.object({ id: z.string() }), query: ngsiQuery },
    responses: {
      200: anyJson('The entity.'),
      304: notModified,
      400: json(errorSchema, 'A malformed id.'),
      404: json(errorSchema, 'No such entity.'),
    },
  }),
];
