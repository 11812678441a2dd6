import { type Db, findFacilitySpotIds, importRegistry, insertAuditEntries, setSpotsClosed } from '@freiplatz/db';
import { parseRegistry, slugSchema } from '@freiplatz/domain';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../../errors.js';
import type { OpsEnv } from '../../middleware/auth/ops-env.js';
import { assertFacilityAccess, requireScope } from '../../middleware/auth/scopes.js';
import { opsClosureBodySchema } from '../../openapi/ops.js';

const tooLarge = () => {
  throw new ApiError('PAYLOAD_TOO_LARGE', 'request body too large');
};

async function readJson(c: { req: { json(): Promise<unknown> } }): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ApiError('BAD_REQUEST', 'body must be JSON');
  }
}

/** Registry writes (scope `registry:write`, audited): `PUT /registry` and `POST /facilities/{id}/closures`. */
export function createOpsRegistryRoutes({ db, now }: { db: Db; now: () => Date }): Hono<OpsEnv> {
  const app = new Hono<OpsEnv>();

  app.put('/registry', requireScope('registry:write'), bodyLimit({ maxSize: 5 * 1024 * 1024, onError: tooLarge }), async (c) => {
    const parsed = parseRegistry(await readJson(c));
    if (!parsed.ok) throw new ApiError('BAD_REQUEST', `invalid registry: ${parsed.issues.slice(0, 5).join('; ')}`);
    const key = c.get('apiKey');
    const registry = parsed.registry;
    for (const f of registry.facilities) assertFacilityAccess(key, f.id);
    const facilityOf = new Map(registry.facilities.flatMap((f) => f.spots.map((s) => [s.id, f.id] as const)));
    for (const s of registry.sensors) assertFacilityAccess(key, s.kind === 'bay' ? (facilityOf.get(s.spotId) ?? null) : s.facilityId);
    if (key.facilityIds !== null && registry.sensorModels.length > 0) {
      throw new ApiError('FORBIDDEN', 'sensor models apply city-wide: they need a key for all facilities');
    }
    const at = now();
    const result = await importRegistry(db, registry, at);
    const summary = {
      facilities: result.facilities,
      spots: result.spots,
      sensors: result.sensors,
      sensorModels: registry.sensorModels.length,
    };
    await insertAuditEntries(
      db,
      [
        {
          action: 'registry.import',
          keyId: key.id,
          method: 'PUT',
          path: c.req.path,
          status: 200,
          detail: { ...summary, facilityIds: registry.facilities.map((f) => f.id) },
        },
      ],
      at,
    );
    return c.json({ ...summary, changedFacilities: result.changedFacilities.length });
  });

  app.post('/facilities/:id/closures', requireScope('registry:write'), bodyLimit({ maxSize: 256 * 1024, onError: tooLarge }), async (c) => {
    const facilityId = c.req.param('id');
    if (!slugSchema.safeParse(facilityId).success) throw new ApiError('BAD_REQUEST', 'facility id must be a lower-case slug');
    const key = c.get('apiKey');
    assertFacilityAccess(key, facilityId);
    const body = opsClosureBodySchema.safeParse(await readJson(c));
    if (!body.success)
      throw new ApiError('BAD_REQUEST', body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const known = await findFacilitySpotIds(db, facilityId);
    if (known.size === 0) throw new ApiError('NOT_FOUND', `no facility "${facilityId}" with spots`);
    const unknown = (body.data.spots ?? []).filter((s) => !known.has(s));
    if (unknown.length > 0) throw new ApiError('BAD_REQUEST', `not spots of ${facilityId}: ${unknown.slice(0, 10).join(', ')}`);
    const at = now();
    const result = await setSpotsClosed(db, facilityId, body.data.closed, body.data.spots ?? null, at);
    await insertAuditEntries(
      db,
      [
        {
          action: body.data.closed ? 'closure.close' : 'closure.open',
          keyId: key.id,
          method: 'POST',
          path: c.req.path,
          status: 200,
          facilityId,
          detail: { reason: body.data.reason, spots: result.spots },
        },
      ],
      at,
    );
    return c.json({ facilityId, closed: body.data.closed, changedSpots: result.spots });
  });
  return app;
}
