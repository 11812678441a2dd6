import { type Db, listAuditEntries } from '@freiplatz/db';
import { z } from '@hono/zod-openapi';
import { API_KEY_ID_PATTERN } from '../../middleware/auth/api-key.js';
import { requireCityWideKey, requireScope } from '../../middleware/auth/scopes.js';
import { opsAuditSchema, opsErrors } from '../../openapi/ops.js';
import { jsonResponse as json } from '../../openapi/schemas.js';
import { createOpsApp, intParam, opsRoute } from './ops-route.js';

export const auditRoute = opsRoute({
  method: 'get',
  path: '/audit',
  summary: 'Audit log, newest first',
  description: 'Scope `ops:read`, a key for all facilities: key uses, failed logins, registry writes.',
  middleware: [requireScope('ops:read'), requireCityWideKey()] as const,
  request: {
    query: z.object({
      limit: intParam(1, 1000).optional().meta({ description: 'Default 100.' }),
      before: intParam(1, Number.MAX_SAFE_INTEGER).optional().meta({ description: 'Entries older than this id.' }),
      key: z.string().regex(API_KEY_ID_PATTERN, 'must be a key id (12 characters)').optional().meta({ description: 'One key id.' }),
      action: z
        .string()
        .regex(/^[a-z.]{1,40}$/, 'must be an action name like key.use')
        .optional()
        .meta({ description: 'e.g. `key.use`, `registry.import`.' }),
    }),
  },
  responses: { 200: json(opsAuditSchema, 'One page of entries.'), ...opsErrors },
});

/** `GET /audit?limit=&before=&key=&action=`: the audit log, newest first (key uses, failed logins, registry writes). */
export function createOpsAuditRoutes({ db }: { db: Db }) {
  const app = createOpsApp();
  app.openapi(auditRoute, async (c) => {
    const { limit = 100, before: beforeId, key: keyId, action } = c.req.valid('query');
    const entries = await listAuditEntries(db, {
      limit,
      ...(beforeId !== undefined ? { beforeId } : {}),
      ...(keyId !== undefined ? { keyId } : {}),
      ...(action !== undefined ? { action } : {}),
    });
    const last = entries.at(-1);
    return c.json(
      {
        items: entries.map((e) => ({ ...e, at: e.at.toISOString() })),
        next: entries.length === limit && last ? `?before=${last.id}&limit=${limit}` : null,
      },
      200,
    );
  });
  return app;
}
