import { type Db, listRejectGroups } from '@freiplatz/db';
import { Hono } from 'hono';
import { ApiError } from '../../errors.js';
import type { OpsEnv } from '../../middleware/auth/ops-env.js';
import { requireCityWideKey, requireScope } from '../../middleware/auth/scopes.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function showPayload(base64: string): { payload: string; encoding: 'utf8' | 'base64' } {
  try {
    return { payload: utf8.decode(Buffer.from(base64, 'base64')), encoding: 'utf8' };
  } catch {
    return { payload: base64, encoding: 'base64' };
  }
}

/** `GET /rejects?hours=24&samples=3`: dead letters by reason code, with the newest samples of each. */
export function createOpsRejectsRoutes({ db, now }: { db: Db; now: () => Date }): Hono<OpsEnv> {
  const app = new Hono<OpsEnv>();
  app.get('/', requireScope('ops:read'), requireCityWideKey(), async (c) => {
    const hours = Number(c.req.query('hours') ?? '24');
    const samples = Number(c.req.query('samples') ?? '3');
    if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 90)
      throw new ApiError('BAD_REQUEST', 'hours must be an integer from 1 to 2160');
    if (!Number.isInteger(samples) || samples < 0 || samples > 20)
      throw new ApiError('BAD_REQUEST', 'samples must be an integer from 0 to 20');
    const at = now();
    const groups = await listRejectGroups(db, { since: new Date(at.getTime() - hours * 3_600_000), samplesPerCode: samples });
    return c.json({
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
    });
  });
  return app;
}
