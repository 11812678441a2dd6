import { type Db, listDataSources } from '@freiplatz/db';
import { isSourceStale, sourceStaleAfterSeconds } from '@freiplatz/domain';
import { requireCityWideKey, requireScope } from '../../middleware/auth/scopes.js';
import { opsErrors } from '../../openapi/ops.js';
import { opsSourcesSchema } from '../../openapi/ops-sources.js';
import { jsonResponse as json } from '../../openapi/schemas.js';
import { createOpsApp, opsRoute } from './ops-route.js';

/** The URL without query or credentials (those may hold secrets). */
const shownUrl = (raw: string) => {
  const u = new URL(raw);
  return `${u.origin}${u.pathname}`;
};

export const sourcesRoute = opsRoute({
  method: 'get',
  path: '/sources',
  summary: 'Polled guidance systems and their last poll',
  description: 'Scope `ops:read`, a key for all facilities.',
  middleware: [requireScope('ops:read'), requireCityWideKey()] as const,
  responses: { 200: json(opsSourcesSchema, 'The sources.'), ...opsErrors },
});

/** `GET /sources`: the polled guidance systems, whether they are stale, and what their last poll found. */
export function createOpsSourcesRoutes({ db, now }: { db: Db; now: () => Date }) {
  const app = createOpsApp();
  app.openapi(sourcesRoute, async (c) => {
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
    return c.json({ items, at: at.toISOString() }, 200);
  });
  return app;
}
