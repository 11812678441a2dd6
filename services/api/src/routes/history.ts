import { type Db, findOccupancyAt, listOccupancyBuckets, type OccupancyBucket } from '@freiplatz/db';
import {
  aggregateHistory,
  FORECAST_MAX_HORIZON_MS,
  forecastFree,
  forecastInstants,
  type HistoryInterval,
  historyIntervals,
} from '@freiplatz/domain';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env.js';
import { ApiError } from '../errors.js';
import type { FacilityCache } from '../state/facility-cache.js';
import { requireFacility } from './facilities.js';

export interface HistoryRoutesOptions {
  db: Db;
  cache: FacilityCache;
  now: () => Date;
}

/** The longest range each interval may cover. */
export const MAX_HISTORY_RANGE_MS: Record<HistoryInterval, number> = {
  '15m': 7 * 86_400_000,
  '1h': 31 * 86_400_000,
  '1d': 366 * 86_400_000,
};
const SLOT_MS = 900_000;

export const historyQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Start (ISO 8601); default: one day (1d: 30 days) before `to`.' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'End, exclusive (ISO 8601); default now.' }),
  interval: z
    .enum(['15m', '1h', '1d'])
    .optional()
    .meta({ description: 'Bucket width (default 1h). Longest range: 15m → 7 days, 1h → 31 days, 1d → 366 days.' }),
});

const AT_HINT = 'the time to forecast for, ISO 8601 (e.g. 2026-06-01T10:00:00Z), at most 7 days ahead';

export const forecastQuerySchema = z.object({
  at: z.iso.datetime({ offset: true }).meta({ description: `Required: ${AT_HINT}.`, example: '2026-06-01T10:00:00Z' }),
});

/** What a missing required parameter is for, said in its 400. */
const REQUIRED_HINTS: Record<string, string> = { at: AT_HINT };

function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string>): z.infer<S> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue?.path[0] ?? 'query');
  // A parameter left out is named as missing, not as zod's "expected string, received undefined".
  if (issue?.path.length === 1 && query[name] === undefined) {
    const hint = REQUIRED_HINTS[name];
    throw new ApiError('BAD_REQUEST', `missing query parameter "${name}"${hint ? `: ${hint}` : ''}`);
  }
  throw new ApiError('BAD_REQUEST', `invalid query parameter "${name}": ${issue?.message ?? 'invalid'}`);
}

const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;
const ceilTo = (ms: number, step: number) => Math.ceil(ms / step) * step;

/** What a bucket says about free spaces at an instant: its mean if the instant lies in it, else its final state. */
function observedFree(bucket: OccupancyBucket | null, instant: Date): number | null {
  if (!bucket) return null;
  return instant.getTime() - bucket.bucket.getTime() < SLOT_MS ? bucket.freeAvg : bucket.freeLast;
}

/** Creates `/v1/facilities/{id}/history` and `/v1/facilities/{id}/forecast`. */
export function createHistoryRoutes({ db, cache, now }: HistoryRoutesOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/:id/history', async (c) => {
    const q = parseQuery(historyQuerySchema, c.req.query());
    const entry = await requireFacility(cache, c.req.param('id'));
    const interval = q.interval ?? '1h';
    const step = historyIntervals[interval];
    const toMs = ceilTo(q.to ? Date.parse(q.to) : now().getTime(), SLOT_MS);
    const fromMs = floorTo(q.from ? Date.parse(q.from) : toMs - (interval === '1d' ? 30 : 1) * 86_400_000, step);
    if (fromMs >= toMs) throw new ApiError('BAD_REQUEST', 'invalid query parameter "from": must be before "to"');
    if (toMs - fromMs > MAX_HISTORY_RANGE_MS[interval]) {
      throw new ApiError(
        'BAD_REQUEST',
        `invalid query parameter "from": the range for interval ${interval} is at most ${MAX_HISTORY_RANGE_MS[interval] / 86_400_000} days`,
      );
    }
    const from = new Date(fromMs);
    const to = new Date(toMs);
    const buckets = await listOccupancyBuckets(db, entry.id, from, to);
    const items = aggregateHistory(buckets, from, to, step).map((p) => ({ ...p, start: p.start.toISOString() }));
    return c.json({ id: entry.id, interval, from: from.toISOString(), to: to.toISOString(), items }, 200, {
      'Cache-Control': 'public, max-age=60',
    });
  });

  app.get('/:id/forecast', async (c) => {
    const q = parseQuery(forecastQuerySchema, c.req.query());
    const entry = await requireFacility(cache, c.req.param('id'));
    const current = now();
    const at = new Date(q.at);
    const horizon = at.getTime() - current.getTime();
    if (horizon < -SLOT_MS || horizon > FORECAST_MAX_HORIZON_MS) {
      throw new ApiError('BAD_REQUEST', 'invalid query parameter "at": must lie between now and 7 days ahead');
    }
    const instants = forecastInstants(current, at);
    const observed = await findOccupancyAt(db, entry.id, [...instants.atTarget, ...instants.atNow]);
    const n = instants.atTarget.length;
    const weeks = instants.atTarget.map((instant, k) => ({
      atTarget: observedFree(observed[k] ?? null, instant),
      atNow: observedFree(observed[n + k] ?? null, instants.atNow[k] as Date),
    }));
    const { state } = entry.record;
    const present = state.status === 'unknown' ? null : { free: state.free, confidence: state.confidence };
    const forecast = forecastFree({ now: current, at, capacity: state.capacity - state.closed, present, weeks });
    return c.json({ id: entry.id, at: at.toISOString(), capacity: state.capacity, ...forecast, method: 'weekly-profile-blend' }, 200, {
      'Cache-Control': 'public, max-age=60',
    });
  });

  return app;
}
