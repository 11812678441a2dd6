import fc from 'fast-check';
import type { Hono } from 'hono';
import type { AppEnv } from '../../services/api/src/app-env.js';
import { paramValueArb } from './query-parsers.js';

/** What no error body may contain: stack frames, source paths, SQL or driver messages. */
export const LEAK_PATTERNS = [
  /\n\s+at /,
  /\.ts:\d+/,
  /node_modules/,
  /\bSELECT\b/i,
  /\bFROM\s+\w+/i,
  /syntax error/i,
  /relation "/i,
  /violates/i,
  /pg_/,
];

const routeArb = fc.constantFrom(
  '/v1/facilities',
  '/v1/facilities/{id}',
  '/v1/facilities/{id}/spots',
  '/v1/facilities/{id}/availability',
  '/v1/facilities/{id}/history',
  '/v1/facilities/{id}/forecast',
  '/v1/ops/sensors',
);
const idArb = fc.oneof(
  fc.constantFrom('fz-a', 'fz-b', 'nope'),
  fc.string({ maxLength: 70 }),
  fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,70}$/),
);
const queryKeys = [
  'near',
  'radius',
  'bbox',
  'kind',
  'category',
  'available',
  'limit',
  'cursor',
  'format',
  'from',
  'to',
  'interval',
  'at',
  'facilities',
  'health',
];

/** A GET request on a route of the API with generated path and query parameters. */
export const requestArb = fc
  .tuple(
    routeArb,
    idArb,
    fc.dictionary(fc.oneof(fc.constantFrom(...queryKeys), fc.string({ maxLength: 8 })), paramValueArb, { maxKeys: 4 }),
  )
  .map(([route, id, query]) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) params.append(k, v);
    return `${route.replace('{id}', encodeURIComponent(id))}?${params.toString()}`;
  });

/** Sends generated GETs to the app: never a 5xx; every error in the one shape, without internals. */
export async function fuzzHttp(app: Hono<AppEnv>, numRuns: number): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  await fc.assert(
    fc.asyncProperty(requestArb, async (path) => {
      const res = await app.request(path, { headers: { Accept: 'application/json' } });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status >= 500) throw new Error(`${path} → ${res.status}: ${(await res.text()).slice(0, 300)}`);
      if (res.status < 400) return;
      const text = await res.text();
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
      if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string' || typeof body.error.requestId !== 'string') {
        throw new Error(`${path} → ${res.status} without the error shape: ${text.slice(0, 200)}`);
      }
      const leak = LEAK_PATTERNS.find((p) => p.test(body.error?.message as string));
      if (leak) throw new Error(`${path} → error message leaks internals (${leak}): ${text.slice(0, 300)}`);
    }),
    { numRuns },
  );
  return statuses;
}
