import { type Db, facilityExists, listRecentEvents, listSensorHealth, listSensorModels } from '@freiplatz/db';
import { type HealthFlag, healthFlags, sensorIdSchema, slugSchema } from '@freiplatz/domain';
import { z } from '@hono/zod-openapi';
import { ApiError } from '../../errors.js';
import { requireScope } from '../../middleware/auth/scopes.js';
import { opsErrors, opsSensorDetailSchema, opsSensorListSchema } from '../../openapi/ops.js';
import { errorSchema, jsonResponse as json } from '../../openapi/schemas.js';
import { canReachFacility } from '../../ops/operator.js';
import { badInput, createOpsApp, intParam, opsRoute } from './ops-route.js';
import { toSensorView } from './sensor-view.js';

const flag = `(${healthFlags.join('|')})`;

export const sensorListRoute = opsRoute({
  method: 'get',
  path: '/sensors',
  summary: 'Sensors with their health',
  description: 'Scope `ops:read`; a key limited to facilities sees their sensors only.',
  middleware: [requireScope('ops:read')] as const,
  request: {
    query: z.object({
      health: z
        .string()
        .regex(new RegExp(`^(${flag}(,${flag})*)?$`), `must be a comma-separated list of ${healthFlags.join(', ')}`)
        .optional()
        .meta({ description: `Comma-separated flags: ${healthFlags.join(', ')}.` }),
      facility: slugSchema.optional().meta({ description: 'One facility id.' }),
    }),
  },
  responses: {
    200: json(opsSensorListSchema, 'The sensors.'),
    ...opsErrors,
    404: json(errorSchema, 'No such facility (or not in the key’s facilities).'),
  },
});

export const sensorDetailRoute = opsRoute({
  method: 'get',
  path: '/sensors/{id}',
  summary: 'One sensor with its recent events',
  middleware: [requireScope('ops:read')] as const,
  request: {
    params: z.object({ id: sensorIdSchema }),
    query: z.object({ limit: intParam(1, 500).optional().meta({ description: 'Recent events (default 50).' }) }),
  },
  responses: {
    200: json(opsSensorDetailSchema, 'The sensor.'),
    ...opsErrors,
    404: json(errorSchema, 'No such sensor (or not in the key’s facilities).'),
  },
});

/** `GET /sensors?health=…&facility=…` and `GET /sensors/{id}` (with recent events). */
export function createOpsSensorsRoutes({ db, now }: { db: Db; now: () => Date }) {
  const app = createOpsApp();

  app.openapi(sensorListRoute, async (c) => {
    const key = c.get('apiKey');
    const query = c.req.valid('query');
    const health = query.health ? (query.health.split(',') as HealthFlag[]) : null;
    const { facility } = query;
    // Outside the key's facilities is answered as if there were no such facility.
    if (facility !== undefined && !(canReachFacility(key, facility) && (await facilityExists(db, facility))))
      throw new ApiError('NOT_FOUND', `no facility "${facility}"`);
    const at = now();
    const [records, models] = await Promise.all([
      listSensorHealth(db, at, { facilityIds: facility !== undefined ? [facility] : key.facilityIds }),
      listSensorModels(db),
    ]);
    const views = records
      .map((r) => toSensorView(r, models, at))
      .filter((v) => health === null || health.some((h) => v.health.includes(h)));
    return c.json({ items: views, count: views.length, at: at.toISOString() }, 200);
  });

  app.openapi(
    sensorDetailRoute,
    async (c) => {
      const { id } = c.req.valid('param');
      const limit = c.req.valid('query').limit ?? 50;
      const at = now();
      const [record] = await listSensorHealth(db, at, { sensorId: id });
      // A sensor outside the key's facilities is answered as absent: a 403 would say where it is.
      if (!record || !canReachFacility(c.get('apiKey'), record.facilityId)) throw new ApiError('NOT_FOUND', `no sensor "${id}"`);
      const [events, models] = await Promise.all([listRecentEvents(db, id, limit), listSensorModels(db)]);
      return c.json(
        {
          ...toSensorView(record, models, at),
          recentEvents: events.map((e) => ({
            ts: e.ts.toISOString(),
            receivedAt: e.received_at.toISOString(),
            seq: e.seq < 0 ? null : e.seq,
            occupied: e.occupied,
            vehicles: e.vehicles,
            entered: e.entered,
            exited: e.exited,
            battery: e.battery,
            batteryLevel: e.battery_level,
            rssi: e.rssi,
            temperature: e.temperature,
            heartbeat: e.heartbeat,
            flags: e.flags,
          })),
        },
        200,
      );
    },
    badInput({ id: 'sensor id' }),
  );
  return app;
}
