import { type Db, listRejectGroups } from '@freiplatz/db';
import { z } from '@hono/zod-openapi';
import { requireCityWideKey, requireScope } from '../../middleware/auth/scopes.js';
import { opsErrors, opsRejectsSchema } from '../../openapi/ops.js';
import { jsonResponse as json } from '../../openapi/schemas.js';
import { createOpsApp, intParam, opsRoute } from './ops-route.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function showPayload(base64: string): { payload: string; encoding: 'utf8' | 'base64' } {
  try {
    return { payload: utf8.decode(Buffer.from(base64, 'base64')), encoding: 'utf8' };
  } catch {
    return { payload: base64, encoding: 'base64' };
  }
}

export const rejectsRoute = opsRoute({
  method: 'get',
  path: '/rejects',
  summary: 'Dead letters by reason',
  description: 'Scope `ops:read`, a key for all facilities. The newest samples of each code, payloads as UTF-8 or base64.',
  middleware: [requireScope('ops:read'), requireCityWideKey()] as const,
  request: {
    query: z.object({
      hours: intParam(1, 24 * 90)
        .optional()
        .meta({ description: 'Look-back (default 24).' }),
      samples: intParam(0, 20).optional().meta({ description: 'Samples per code (default 3).' }),
    }),
  },
  responses: { 200: json(opsRejectsSchema, 'The dead letters.'), ...opsErrors },
});

/** `GET /rejects?hours=24&samples=3`: dead letters by reason code, with the newest samples of each. */
export function createOpsRejectsRoutes({ db, now }: { db: Db; now: () => Date }) {
  const app = createOpsApp();
  app.openapi(rejectsRoute, async (c) => {
    const { hours = 24, samples = 3 } = c.req.valid('query');
    const at = now();
    const groups = await listRejectGroups(db, { since: new Date(at.getTime() - hours * 3_600_000), samplesPerCode: samples });
    return c.json(
      {
        since: new Date(at.getTime() - hours * 3_600_000).toISOString(),
        total: groups.reduce((n, g) => n + g.count, 0),
        byCode: groups.map((g) => ({
          code: g.code,
          count: g.count,
          lastAt: g.lastAt.toISOString(),
          samples: g.samples.map((s) => ({
            topic: s.topic,
            reason: s.reason,
            receivedAt: s.receivedAt.toISOString(),
            ...showPayload(s.payload),
          })),
        })),
      },
      200,
    );
  });
  return app;
}
