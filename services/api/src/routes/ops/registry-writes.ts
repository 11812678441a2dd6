import type { Db } from '@freiplatz/db';
import { parseRegistry } from '@freiplatz/domain';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../../errors.js';
import type { OpsEnv } from '../../middleware/auth/ops-env.js';
import { opsClosureBodySchema } from '../../openapi/ops.js';
import { closeFacility } from '../../ops/close-facility.js';
import { importRegistryAs } from '../../ops/import-registry-as.js';
import type { OperatorRefusal, OperatorRequest } from '../../ops/operator.js';

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

const refuse = (r: OperatorRefusal): never => {
  throw new ApiError(r.code, r.message);
};

const operatorRequest = (c: Context<OpsEnv>, now: Date): OperatorRequest => ({
  key: c.get('apiKey'),
  method: c.req.method,
  path: c.req.path,
  okStatus: 200,
  now,
});

/** Registry writes (scope `registry:write`, audited): `PUT /registry` and `POST /facilities/{id}/closures`; the checks are the core's. */
export function createOpsRegistryRoutes({ db, now }: { db: Db; now: () => Date }): Hono<OpsEnv> {
  const app = new Hono<OpsEnv>();

  app.put('/registry', bodyLimit({ maxSize: 5 * 1024 * 1024, onError: tooLarge }), async (c) => {
    const parsed = parseRegistry(await readJson(c));
    if (!parsed.ok) throw new ApiError('BAD_REQUEST', `invalid registry: ${parsed.issues.slice(0, 5).join('; ')}`);
    const result = await importRegistryAs(db, operatorRequest(c, now()), parsed.registry);
    return result.ok ? c.json(result.summary) : refuse(result);
  });

  app.post('/facilities/:id/closures', bodyLimit({ maxSize: 256 * 1024, onError: tooLarge }), async (c) => {
    const facilityId = c.req.param('id');
    const body = opsClosureBodySchema.safeParse(await readJson(c));
    if (!body.success)
      throw new ApiError('BAD_REQUEST', body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const { closed, spots, reason } = body.data;
    const result = await closeFacility(db, operatorRequest(c, now()), { facilityId, closed, spots: spots ?? null, reason });
    return result.ok ? c.json({ facilityId, closed, changedSpots: result.changedSpots }) : refuse(result);
  });
  return app;
}
