import { type Db, listCounterClamps, listSensorHealth, listSensorModels } from '@freiplatz/db';
import { type HealthFlag, healthFlags } from '@freiplatz/domain';
import { requireScope } from '../../middleware/auth/scopes.js';
import { opsErrors, opsSummarySchema } from '../../openapi/ops.js';
import { jsonResponse as json } from '../../openapi/schemas.js';
import { createOpsApp, opsRoute } from './ops-route.js';
import { toSensorView } from './sensor-view.js';

const zeroCounts = () => Object.fromEntries(healthFlags.map((f) => [f, 0])) as Record<HealthFlag, number>;

export const summaryRoute = opsRoute({
  method: 'get',
  path: '/summary',
  summary: 'Health counts per facility',
  description: 'Scope `ops:read`. Counted facilities add vehicles and counter clamps.',
  middleware: [requireScope('ops:read')] as const,
  responses: { 200: json(opsSummarySchema, 'The counts.'), ...opsErrors },
});

/** `GET /summary`: health counts per facility (and for sensors in none), counter clamps. */
export function createOpsSummaryRoutes({ db, now }: { db: Db; now: () => Date }) {
  const app = createOpsApp();
  app.openapi(summaryRoute, async (c) => {
    const key = c.get('apiKey');
    const at = now();
    const [records, models, clamps] = await Promise.all([
      listSensorHealth(db, at, { facilityIds: key.facilityIds }),
      listSensorModels(db),
      listCounterClamps(db, key.facilityIds),
    ]);
    const perFacility = new Map<string | null, { sensors: number; healthy: number; health: Record<HealthFlag, number> }>();
    for (const view of records.map((r) => toSensorView(r, models, at))) {
      const entry = perFacility.get(view.facilityId) ?? { sensors: 0, healthy: 0, health: zeroCounts() };
      entry.sensors += 1;
      if (view.health.length === 0) entry.healthy += 1;
      for (const flag of view.health) entry.health[flag] += 1;
      perFacility.set(view.facilityId, entry);
    }
    const clampsBy = new Map(clamps.map((r) => [r.facilityId, r]));
    const facilities = [...perFacility]
      .map(([facilityId, e]) => ({
        facilityId,
        ...e,
        ...(facilityId !== null && clampsBy.has(facilityId)
          ? { vehicles: clampsBy.get(facilityId)?.vehicles ?? null, counterClamps: clampsBy.get(facilityId)?.clamps ?? 0 }
          : {}),
      }))
      .sort((a, b) => (a.facilityId ?? '\uffff').localeCompare(b.facilityId ?? '\uffff'));
    const totals = zeroCounts();
    for (const f of facilities) for (const flag of healthFlags) totals[flag] += f.health[flag];
    return c.json({ at: at.toISOString(), totals, facilities }, 200);
  });
  return app;
}
