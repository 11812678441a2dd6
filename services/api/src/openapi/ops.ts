import { healthFlags, registrySchema, sensorIdSchema, slugSchema } from '@freiplatz/domain';
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { errorSchema, jsonResponse as json } from './schemas.js';

// The operator API (`/v1/ops/…`, routes/ops) in the OpenAPI document. Its routes check their
// parameters by hand with the same rules as below; routes/ops/ops.test.ts holds real answers of
// every route to these response schemas, so the document cannot drift from them.
const isoTime = z.string().meta({ format: 'date-time' });
const healthFlagSchema = z.enum(healthFlags);
/** What a sensor last measured: in its state and in each of its events. */
const readings = {
  battery: z.number().nullable(),
  batteryLevel: z.number().nullable(),
  rssi: z.number().nullable(),
  temperature: z.number().nullable(),
};

/** Security scheme name of operator API keys in the document. */
export const OPS_SECURITY_SCHEME = 'apiKey';

export const opsErrors = {
  400: json(errorSchema, 'A bad parameter or body, named in the message.'),
  401: json(errorSchema, 'No valid API key (`Authorization: Bearer fpk_…`).'),
  403: json(errorSchema, 'The key lacks the scope, or the facility is not among its facilities.'),
  429: json(errorSchema, 'Too many failed authentications from this client; see `Retry-After`.'),
};

export const opsSensorSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['bay', 'counter']).nullable().meta({ description: 'null: heard, but not in the registry.' }),
    model: z.string(),
    facilityId: z.string().nullable(),
    spotId: z.string().nullable(),
    heartbeatIntervalSeconds: z.number(),
    health: z.array(healthFlagSchema).meta({ description: 'Empty when healthy.' }),
    lastSeenAt: isoTime.nullable(),
    occupied: z.boolean().nullable(),
    vehicles: z.number().nullable(),
    ...readings,
    stateSince: isoTime.nullable(),
    changesLastHour: z.number(),
    events: z.number(),
  })
  .meta({ id: 'OpsSensor' });

export const opsSensorListSchema = z.object({ items: z.array(opsSensorSchema), count: z.number(), at: isoTime });

export const opsSensorDetailSchema = opsSensorSchema.extend({
  recentEvents: z.array(
    z.object({
      ts: isoTime,
      receivedAt: isoTime,
      seq: z.number().nullable(),
      occupied: z.boolean().nullable(),
      vehicles: z.number().nullable(),
      entered: z.number().nullable(),
      exited: z.number().nullable(),
      ...readings,
      heartbeat: z.boolean().nullable(),
      flags: z.array(z.string()),
    }),
  ),
});

const healthCounts = z.object(
  Object.fromEntries(healthFlags.map((f) => [f, z.number()])) as Record<(typeof healthFlags)[number], z.ZodNumber>,
);

export const opsSummarySchema = z.object({
  at: isoTime,
  totals: healthCounts,
  facilities: z.array(
    z.object({
      facilityId: z.string().nullable().meta({ description: 'null: sensors on no facility.' }),
      sensors: z.number(),
      healthy: z.number(),
      health: healthCounts,
      vehicles: z.number().nullable().optional().meta({ description: 'Counted facilities: vehicles inside.' }),
      counterClamps: z.number().optional().meta({ description: 'Counted facilities: counts kept within 0…capacity.' }),
    }),
  ),
});

export const opsRejectsSchema = z.object({
  since: isoTime,
  total: z.number(),
  byCode: z.array(
    z.object({
      code: z.string(),
      count: z.number(),
      lastAt: isoTime,
      samples: z.array(
        z.object({ topic: z.string(), reason: z.string(), receivedAt: isoTime, payload: z.string(), encoding: z.enum(['utf8', 'base64']) }),
      ),
    }),
  ),
});

export const opsAuditSchema = z.object({
  items: z.array(
    z.object({
      id: z.number(),
      at: isoTime,
      action: z.string(),
      keyId: z.string().nullable(),
      method: z.string().nullable(),
      path: z.string().nullable(),
      status: z.number().nullable(),
      facilityId: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
  next: z.string().nullable().meta({ description: 'Query of the next (older) page; null on the last.' }),
});

export const opsRegistryResultSchema = z.object({
  facilities: z.number(),
  spots: z.number(),
  sensors: z.number(),
  sensorModels: z.number(),
  changedFacilities: z.number(),
});

export const opsClosureBodySchema = z.strictObject({
  closed: z.boolean(),
  spots: z
    .array(slugSchema)
    .min(1)
    .max(10_000)
    .optional()
    .meta({ description: 'Spots to open or close; all of the facility when left out.' }),
  reason: z.string().min(1).max(300),
});

export const opsClosureResultSchema = z.object({
  facilityId: z.string(),
  closed: z.boolean(),
  changedSpots: z.array(z.string()).meta({ description: 'Spots whose closure changed.' }),
});

/** An operator route: tagged, behind the bearer scheme. */
export const ops = <R extends Parameters<typeof createRoute>[0]>(route: R) =>
  createRoute({ ...route, tags: ['Operator'], security: [{ [OPS_SECURITY_SCHEME]: [] }] });

export const opsRoutes = [
  ops({
    method: 'get',
    path: '/v1/ops/sensors',
    summary: 'Sensors with their health',
    description: 'Scope `ops:read`; a key limited to facilities sees their sensors only.',
    request: {
      query: z.object({
        health: z
          .string()
          .optional()
          .meta({ description: `Comma-separated flags: ${healthFlags.join(', ')}.` }),
        facility: slugSchema.optional().meta({ description: 'One facility id.' }),
      }),
    },
    responses: { 200: json(opsSensorListSchema, 'The sensors.'), ...opsErrors },
  }),
  ops({
    method: 'get',
    path: '/v1/ops/sensors/{id}',
    summary: 'One sensor with its recent events',
    request: {
      params: z.object({ id: sensorIdSchema }),
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).optional().meta({ description: 'Recent events (default 50).' }) }),
    },
    responses: { 200: json(opsSensorDetailSchema, 'The sensor.'), ...opsErrors, 404: json(errorSchema, 'No such sensor.') },
  }),
  ops({
    method: 'get',
    path: '/v1/ops/summary',
    summary: 'Health counts per facility',
    description: 'Scope `ops:read`. Counted facilities add vehicles and counter clamps.',
    responses: { 200: json(opsSummarySchema, 'The counts.'), ...opsErrors },
  }),
  ops({
    method: 'get',
    path: '/v1/ops/rejects',
    summary: 'Dead letters by reason',
    description: 'Scope `ops:read`, a key for all facilities. The newest samples of each code, payloads as UTF-8 or base64.',
    request: {
      query: z.object({
        hours: z.coerce.number().int().min(1).max(2160).optional().meta({ description: 'Look-back (default 24).' }),
        samples: z.coerce.number().int().min(0).max(20).optional().meta({ description: 'Samples per code (default 3).' }),
      }),
    },
    responses: { 200: json(opsRejectsSchema, 'The dead letters.'), ...opsErrors },
  }),
  ops({
    method: 'get',
    path: '/v1/ops/audit',
    summary: 'Audit log, newest first',
    description: 'Scope `ops:read`, a key for all facilities: key uses, failed logins, registry writes.',
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(1000).optional().meta({ description: 'Default 100.' }),
        before: z.coerce.number().int().min(1).optional().meta({ description: 'Entries older than this id.' }),
        key: z
          .string()
          .regex(/^[a-z0-9]{12}$/)
          .optional()
          .meta({ description: 'One key id.' }),
        action: z
          .string()
          .regex(/^[a-z.]{1,40}$/)
          .optional()
          .meta({ description: 'e.g. `key.use`, `registry.import`.' }),
      }),
    },
    responses: { 200: json(opsAuditSchema, 'One page of entries.'), ...opsErrors },
  }),
  ops({
    method: 'put',
    path: '/v1/ops/registry',
    summary: 'Import the registry',
    description:
      'Scope `registry:write`, audited. Facilities, spots, sensors and sensor models (the registry file format); up to 5 MiB. Sensor models need a key for all facilities.',
    request: { body: { content: { 'application/json': { schema: registrySchema } }, required: true } },
    responses: { 200: json(opsRegistryResultSchema, 'What was imported.'), ...opsErrors, 413: json(errorSchema, 'Body too large.') },
  }),
  ops({
    method: 'post',
    path: '/v1/ops/facilities/{id}/closures',
    summary: 'Close or open spots',
    description: 'Scope `registry:write`, audited. Closed spots count nowhere until opened again.',
    request: {
      params: z.object({ id: slugSchema }),
      body: { content: { 'application/json': { schema: opsClosureBodySchema } }, required: true },
    },
    responses: {
      200: json(opsClosureResultSchema, 'The spots changed.'),
      ...opsErrors,
      404: json(errorSchema, 'No such facility with spots.'),
      413: json(errorSchema, 'Body too large.'),
    },
  }),
];
