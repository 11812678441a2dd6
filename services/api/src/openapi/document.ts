import { spotCategories } from '@freiplatz/domain';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { forecastQuerySchema, historyQuerySchema } from '../routes/history.js';
import { OPS_BASE_PATH, opsRouteDefinitions } from '../routes/ops/index.js';
import { searchQuerySchema } from '../search/search-query.js';
import { exportRoutes } from './exports.js';
import { OPS_SECURITY_SCHEME } from './ops.js';
import {
  errorSchema,
  facilityDetailSchema,
  facilityIdParamsSchema,
  facilityPageSchema,
  forecastSchema,
  geoJsonPageSchema,
  historySchema,
  jsonResponse as json,
  signageSchema,
  spotsSchema,
} from './schemas.js';

const errors = {
  400: json(errorSchema, 'A bad parameter, named in the message.'),
  404: json(errorSchema, 'No such facility.'),
  429: {
    ...json(errorSchema, 'Rate limit exceeded; see `Retry-After`.'),
    headers: { 'Retry-After': { schema: { type: 'integer' as const } } },
  },
};
const cached = { 'Cache-Control': { schema: { type: 'string' as const } } };

const routes = [
  createRoute({
    method: 'get',
    path: '/v1/facilities',
    tags: ['Facilities'],
    summary: 'Search facilities',
    description:
      'Facilities with live availability. `near` sorts by distance (and adds `distance`); `bbox`, `kind`, `category` and `available` filter; pages are cursor-based. Send `Accept: application/geo+json` for a GeoJSON FeatureCollection.',
    request: { query: searchQuerySchema },
    responses: {
      200: {
        description: 'One page of facilities.',
        content: { 'application/json': { schema: facilityPageSchema }, 'application/geo+json': { schema: geoJsonPageSchema } },
      },
      400: errors[400],
      429: errors[429],
    },
  }),
  createRoute({
    method: 'get',
    path: '/v1/facilities/{id}',
    tags: ['Facilities'],
    summary: 'One facility',
    description: 'Details with per-category counts, camper amenities, opening hours and confidence.',
    request: { params: facilityIdParamsSchema },
    responses: { 200: json(facilityDetailSchema, 'The facility.'), ...errors },
  }),
  createRoute({
    method: 'get',
    path: '/v1/facilities/{id}/spots',
    tags: ['Facilities'],
    summary: 'Spots of a facility',
    request: { params: facilityIdParamsSchema },
    responses: { 200: json(spotsSchema, 'Each bay or pitch with its status now.'), ...errors },
  }),
  createRoute({
    method: 'get',
    path: '/v1/facilities/{id}/availability',
    tags: ['Signage'],
    summary: 'Availability for signs (cacheable)',
    description:
      'A tiny body with a strong `ETag` from the state version. Send `If-None-Match` to get `304 Not Modified` while nothing changed. `?format=text` returns only the free count (`-` when unknown, `0` when closed). `?category=disabled` answers for that category alone: its counts and its own status.',
    request: {
      params: facilityIdParamsSchema,
      query: z.object({
        format: z.enum(['json', 'text']).optional().meta({ description: '`text`: the bare free count.' }),
        category: z.enum(spotCategories).optional().meta({ description: 'Only this category (404 when the facility has no spots of it).' }),
      }),
      headers: z.object({ 'if-none-match': z.string().optional().meta({ description: 'ETag of a copy held.' }) }),
    },
    responses: {
      200: {
        description: 'Current availability.',
        headers: { ETag: { schema: { type: 'string' } }, ...cached },
        content: { 'application/json': { schema: signageSchema }, 'text/plain': { schema: z.string().meta({ example: '42' }) } },
      },
      304: { description: 'Unchanged since the ETag given.', headers: { ETag: { schema: { type: 'string' } }, ...cached } },
      ...errors,
    },
  }),
  createRoute({
    method: 'get',
    path: '/v1/facilities/{id}/history',
    tags: ['History'],
    summary: 'Occupancy over time',
    description: 'From 15-minute buckets; a bucket without changes carries the previous state.',
    request: { params: facilityIdParamsSchema, query: historyQuerySchema },
    responses: { 200: json(historySchema, 'One item per interval.'), ...errors },
  }),
  createRoute({
    method: 'get',
    path: '/v1/facilities/{id}/forecast',
    tags: ['History'],
    summary: 'Expected free spaces',
    description:
      'Method `weekly-profile-blend`: the same weekday and time in the last 4 weeks (each week half the weight of the next more recent), shifted by how far the present deviates from that profile now; the deviation fades with the horizon as exp(−h / 2 h). Confidence blends the present’s confidence (near term) with the profile’s coverage and week-to-week consistency (far term). Without history: the present, with confidence fading over the horizon.',
    request: { params: facilityIdParamsSchema, query: forecastQuerySchema },
    responses: { 200: json(forecastSchema, 'The forecast.'), ...errors },
  }),
  createRoute({
    method: 'get',
    path: '/v1/stream',
    tags: ['Live'],
    summary: 'Live availability changes (server-sent events)',
    description:
      'Events `availability` carry the signage body of a changed facility. A new stream starts with the current state of every (filtered) facility. Reconnect with `Last-Event-ID` to get what changed meanwhile (or a fresh snapshot when that is too old). `: keep-alive` comments flow every 15 s. Slow readers get the latest state per facility, not every change.',
    request: {
      query: z.object({
        facilities: z.string().optional().meta({ description: 'Comma-separated facility ids (up to 500); default all.' }),
      }),
      headers: z.object({ 'last-event-id': z.string().optional() }),
    },
    responses: {
      200: { description: 'An event stream.', content: { 'text/event-stream': { schema: z.string() } } },
      400: errors[400],
      429: errors[429],
    },
  }),
  createRoute({
    method: 'get',
    path: '/healthz',
    tags: ['Operations'],
    summary: 'Liveness',
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'The process answers.') },
  }),
  createRoute({
    method: 'get',
    path: '/readyz',
    tags: ['Operations'],
    summary: 'Readiness',
    responses: { 200: json(z.object({ status: z.literal('ready') }), 'The database answers.'), 503: json(errorSchema, 'Not ready.') },
  }),
  createRoute({
    method: 'get',
    path: '/openapi.json',
    tags: ['Operations'],
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } } },
  }),
  createRoute({
    method: 'get',
    path: '/docs',
    tags: ['Operations'],
    summary: 'This document for people',
    responses: { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } } },
  }),
];

/** Builds the OpenAPI 3.1 document of the API (public and operator routes) from zod schemas. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const docs = new OpenAPIHono();
  docs.openAPIRegistry.registerComponent('securitySchemes', OPS_SECURITY_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description: 'An operator API key (`pnpm keys:create`), with scopes and optionally limited to facilities.',
  });
  for (const route of [...routes, ...exportRoutes]) docs.openAPIRegistry.registerPath(route);
  // The operator routes' own definitions, as their app validates with them (its middleware is not for the document).
  for (const { middleware: _, ...route } of opsRouteDefinitions)
    docs.openAPIRegistry.registerPath({ ...route, path: `${OPS_BASE_PATH}${route.path}` });
  return docs.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Freiplatz API',
      version: '1.0.0',
      description: 'Live free parking bays and camper pitches. Errors always have the shape `{"error":{"code","message","requestId"}}`.',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    tags: [
      { name: 'Facilities' },
      { name: 'Signage' },
      { name: 'History' },
      { name: 'Live' },
      { name: 'Open data' },
      { name: 'Operations' },
      { name: 'Operator' },
    ],
  }) as unknown as Record<string, unknown>;
}
