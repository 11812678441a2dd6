import { type Db, listDataSources } from '@freiplatz/db';
import { isSourceStale, sourceStaleAfterSeconds } from '@freiplatz/domain';
import { Hono } from 'hono';
import type { OpsEnv } from '../../middleware/auth/ops-env.js';
import { requireCityWideKey, requireScope } from '../../middleware/auth/scopes.js';

/** The URL without query or credentials (those may hold secrets). */
const shownUrl = (raw: string) => {
  const u = new URL(raw);
  return `${u.origin}${u.pathname}`;
};

/** `GET /sources`: the polled guidance systems, whether they are stale, and what their last poll found. */
export function createOpsSourcesRoutes({ db, now }: { db: Db; now: () => Date }): Hono<OpsEnv> {
  const app = new Hono<OpsEnv>();
  app.get('/', requireScope('ops:read'), requireCityWideKey(), async (c) => {
    const at = now();
    const items = (await listDataSources(db)).map((r) => ({
      id: r.source.id,
      format: r.source.format,
      url: shownUrl(r.source.url),
      pollIntervalSeconds: r.source.pollIntervalSeconds,
      staleAfterSeconds: sourceStaleAfterSeconds(r.source),
      facilityIds: [...new Set(Object.values(r.source.idMap))].sort(),
      stale: isSourceStale(r.source, r.lastSuccessAt, at),
      lastAttemptAt: r.lastAttemptAt?.toISOString() ?? null,
      lastSuccessAt: r.lastSuccessAt?.toISOString() ?? null,
      lastStatus: r.lastStatus,
      lastError: r.lastError,
    }));
    return c.json({ items, at: at.toISOString() });
  });
  return app;
}
