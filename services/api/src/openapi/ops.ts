import { healthFlags, slugSchema } from '@freiplatz/domain';
import { z } from 'zod';
import { errorSchema, jsonResponse as json } from './schemas.js';

// Bodies of the operator API (`/v1/ops/…`). The route definitions in routes/ops validate with these
// schemas and document them; routes/ops/ops.test.ts holds real answers of every route to the
// response schemas, so the document cannot drift from them.
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

/** The errors every operator route may answer. */
export const opsErrors = {
  400: json(errorSchema, 'A bad parameter or body, named in the message.'),
  401: json(errorSchema, 'No valid API key (`Authorization: Bearer fpk_…`).'),
  403: json(
    errorSchema,
    'The key lacks the scope, the resource is city-wide, or an import reaches outside its facilities. (A facility or sensor outside them is answered 404.)',
  ),
  429: json(errorSchema, 'Too many failed authentications from this client, or too many checks at once; see `Retry-After`.'),
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
  reason: z
    .string({
      error: (issue) => (issue.input === undefined ? 'is required, closing and reopening alike (it goes into the audit log)' : undefined),
    })
    .min(1)
    .max(300)
    .meta({ description: 'Required for closing and reopening: why (kept in the audit log).' }),
});

export const opsClosureResultSchema = z.object({
  facilityId: z.string(),
  closed: z.boolean(),
  changedSpots: z.array(z.string()).meta({ description: 'Spots whose closure changed.' }),
});
