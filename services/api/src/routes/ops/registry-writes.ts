import type { Db } from '@freiplatz/db';
import { registrySchema, slugSchema } from '@freiplatz/domain';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../../errors.js';
import type { OpsEnv } from '../../middleware/auth/ops-env.js';
import { opsClosureBodySchema, opsClosureResultSchema, opsErrors, opsRegistryResultSchema } from '../../openapi/ops.js';
import { errorSchema, jsonResponse as json } from '../../openapi/schemas.js';
import { closeFacility } from '../../ops/close-facility.js';
import { importRegistryAs } from '../../ops/import-registry-as.js';
import type { OperatorRefusal, OperatorRequest } from '../../ops/operator.js';
import { badInput, createOpsApp, opsRoute } from './ops-route.js';

const limitBody = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError('PAYLOAD_TOO_LARGE', 'request body too large');
    },
  });

export const registryRoute = opsRoute({
  method: 'put',
  path: '/registry',
  summary: 'Import the registry',
  description:
    'Scope `registry:write`, audited. Facilities, spots, sensors and sensor models (the registry file format); up to 5 MiB. Sensor models need a key for all facilities.',
  middleware: [limitBody(5 * 1024 * 1024)] as const,
  request: { body: { content: { 'application/json': { schema: registrySchema } }, required: true } },
  responses: { 200: json(opsRegistryResultSchema, 'What was imported.'), ...opsErrors, 413: json(errorSchema, 'Body too large.') },
});

export const closureRoute = opsRoute({
  method: 'post',
  path: '/facilities/{id}/closures',
  summary: 'Close or open spots',
  description: 'Scope `registry:write`, audited. Closed spots count nowhere until opened again.',
  middleware: [limitBody(256 * 1024)] as const,
  request: {
    params: z.object({ id: slugSchema }),
    body: { content: { 'application/json': { schema: opsClosureBodySchema } }, required: true },
  },
  responses: {
    200: json(opsClosureResultSchema, 'The spots changed.'),
    ...opsErrors,
    404: json(errorSchema, 'No such facility with spots (or not in the key’s facilities).'),
    413: json(errorSchema, 'Body too large.'),
  },
});

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
export function createOpsRegistryRoutes({ db, now }: { db: Db; now: () => Date }) {
  const app = createOpsApp();

  app.openapi(
    registryRoute,
    async (c) => {
      const result = await importRegistryAs(db, operatorRequest(c, now()), c.req.valid('json'));
      return result.ok ? c.json(result.summary, 200) : refuse(result);
    },
    badInput({ body: 'registry' }),
  );

  app.openapi(
    closureRoute,
    async (c) => {
      const { id: facilityId } = c.req.valid('param');
      const { closed, spots, reason } = c.req.valid('json');
      const result = await closeFacility(db, operatorRequest(c, now()), { facilityId, closed, spots: spots ?? null, reason });
      return result.ok ? c.json({ facilityId, closed, changedSpots: result.changedSpots }, 200) : refuse(result);
    },
    badInput({ id: 'facility id' }),
  );
  return app;
}
