import { type Db, facilityExists, listRecentEvents, listSensorHealth, listSensorModels } from '@freiplatz/db';
import { type HealthFlag, healthFlags, sensorIdSchema, slugSchema } from '@freiplatz/domain';
import { Hono } from 'hono';
import { ApiError } from '../../errors.js';
import type { OpsEnv } from '../../middleware/auth/ops-env.js';
import { requireScope } from '../../middleware/auth/scopes.js';
import { canReachFacility } from '../../ops/operator.js';
import { toSensorView } from './sensor-view.js';

function parseHealth(raw: string | undefined): HealthFlag[] | null {
  if (raw === undefined || raw === '') return null;
  const wanted = raw.split(',');
  const bad = wanted.find((w) => !(healthFlags as readonly string[]).includes(w));
  if (bad !== undefined) throw new ApiError('BAD_REQUEST', `health must be a comma-separated list of ${healthFlags.join(', ')}`);
  return wanted as HealthFlag[];
}

function parseLimit(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) throw new ApiError('BAD_REQUEST', `limit must be an integer from 1 to ${max}`);
  return n;
}

/** `GET /sensors?health=…&facility=…` and `GET /sensors/{id}` (with recent events). */
export function createOpsSensorsRoutes({ db, now }: { db: Db; now: () => Date }): Hono<OpsEnv> {
  const app = new Hono<OpsEnv>();
  app.use(requireScope('ops:read'));

  app.get('/', async (c) => {
    const key = c.get('apiKey');
    const health = parseHealth(c.req.query('health'));
    const facility = c.req.query('facility');
    if (facility !== undefined && !slugSchema.safeParse(facility).success)
      throw new ApiError('BAD_REQUEST', 'facility must be a facility id');
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
    return c.json({ items: views, count: views.length, at: at.toISOString() });
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    if (!sensorIdSchema.safeParse(id).success)
      throw new ApiError('BAD_REQUEST', 'sensor id must be 1–64 characters of A–Z, a–z, 0–9, _ . -');
    const limit = parseLimit(c.req.query('limit'), 50, 500);
    const at = now();
    const [record] = await listSensorHealth(db, at, { sensorId: id });
    // A sensor outside the key's facilities is answered as absent: a 403 would say where it is.
    if (!record || !canReachFacility(c.get('apiKey'), record.facilityId)) throw new ApiError('NOT_FOUND', `no sensor "${id}"`);
    const [events, models] = await Promise.all([listRecentEvents(db, id, limit), listSensorModels(db)]);
    return c.json({
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
    });
  });
  return app;
}
