import { type Db, listAuditEntries } from '@freiplatz/db';
import { Hono } from 'hono';
import { ApiError } from '../../errors.js';
import type { OpsEnv } from '../../middleware/auth/ops-env.js';
import { requireCityWideKey, requireScope } from '../../middleware/auth/scopes.js';

const positiveInt = (raw: string | undefined, name: string, max: number): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) throw new ApiError('BAD_REQUEST', `${name} must be an integer from 1 to ${max}`);
  return n;
};

/** `GET /audit?limit=&before=&key=&action=`: the audit log, newest first (key uses, failed logins, registry writes). */
export function createOpsAuditRoutes({ db }: { db: Db }): Hono<OpsEnv> {
  const app = new Hono<OpsEnv>();
  app.get('/', requireScope('ops:read'), requireCityWideKey(), async (c) => {
    const limit = positiveInt(c.req.query('limit'), 'limit', 1000) ?? 100;
    const beforeId = positiveInt(c.req.query('before'), 'before', Number.MAX_SAFE_INTEGER);
    const keyId = c.req.query('key');
    const action = c.req.query('action');
    if (keyId !== undefined && !/^[a-z0-9]{12}$/.test(keyId)) throw new ApiError('BAD_REQUEST', 'key must be a key id (12 characters)');
    if (action !== undefined && !/^[a-z.]{1,40}$/.test(action))
      throw new ApiError('BAD_REQUEST', 'action must be an action name like key.use');
    const entries = await listAuditEntries(db, {
      limit,
      ...(beforeId !== undefined ? { beforeId } : {}),
      ...(keyId !== undefined ? { keyId } : {}),
      ...(action !== undefined ? { action } : {}),
    });
    const last = entries.at(-1);
    return c.json({
      items: entries.map((e) => ({ ...e, at: e.at.toISOString() })),
      next: entries.length === limit && last ? `?before=${last.id}&limit=${limit}` : null,
    });
  });
  return app;
}
