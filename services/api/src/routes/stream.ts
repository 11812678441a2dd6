import { DEFAULT_STREAM_MAX_PER_CLIENT } from '@freiplatz/config';
import { slugSchema } from '@freiplatz/domain';
import { type Context, Hono } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { AppEnv } from '../app-env.js';
import { ApiError } from '../errors.js';
import type { FacilityCache } from '../state/facility-cache.js';
import type { ChangeHub } from '../stream/change-hub.js';
import { ClientQueue } from '../stream/client-queue.js';
import { StreamCounts } from '../stream/stream-counts.js';

export interface StreamRoutesOptions {
  cache: FacilityCache;
  hub: ChangeHub;
  /** Interval of `: keep-alive` comments; default 15 s. */
  keepAliveMs?: number;
  /** A client whose socket accepts nothing for this long is dropped; default 30 s. */
  stallTimeoutMs?: number;
  /** Concurrent streams of this process; default 1000. */
  maxClients?: number;
  /** Concurrent streams of one client (by `clientKey`); default 10. */
  maxPerClient?: number;
  /** The client a request comes from: the public rate limit's key (honours trusted proxies). */
  clientKey: (c: Context<AppEnv>) => string;
}

export const MAX_STREAM_FACILITIES = 500;
const RECONNECT_MS = 3000;

/** Parses `facilities=a,b,c`; null means all. */
export function parseFacilityFilter(raw: string | undefined): ReadonlySet<string> | null {
  if (raw === undefined) return null;
  const ids = raw.split(',').map((s) => s.trim());
  if (ids.length > MAX_STREAM_FACILITIES || ids.some((id) => !slugSchema.safeParse(id).success)) {
    throw new ApiError(
      'BAD_REQUEST',
      `invalid query parameter "facilities": up to ${MAX_STREAM_FACILITIES} comma-separated facility ids (lower-case slugs)`,
    );
  }
  return new Set(ids);
}

class StallError extends Error {}

async function writeWithin(stream: SSEStreamingApi, write: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      write,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StallError('client stalled')), ms);
      }),
    ]);
  } catch (err) {
    if (err instanceof StallError) stream.abort();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates `GET /v1/stream`: server-sent availability changes with keep-alive and `Last-Event-ID`
 * resume. Streams are capped per process and per client (429 `RATE_LIMITED` beyond either).
 */
export function createStreamRoutes({
  cache,
  hub,
  clientKey,
  keepAliveMs = 15_000,
  stallTimeoutMs = 30_000,
  maxClients = 1000,
  maxPerClient = DEFAULT_STREAM_MAX_PER_CLIENT,
}: StreamRoutesOptions) {
  const app = new Hono<AppEnv>();
  const perClient = new StreamCounts(maxPerClient);
  app.get('/', async (c) => {
    const filter = parseFacilityFilter(c.req.query('facilities'));
    if (hub.clientCount >= maxClients) {
      c.header('Retry-After', '10');
      throw new ApiError('RATE_LIMITED', 'too many open streams; retry later');
    }
    const release = perClient.open(clientKey(c));
    if (!release) {
      c.header('Retry-After', '10');
      throw new ApiError('RATE_LIMITED', `too many open streams for this client (at most ${maxPerClient}); close one and retry`);
    }
    const layout = await cache.layout().catch((err: unknown) => {
      release();
      throw err;
    });
    if (filter !== null) {
      // A filter naming no facility would answer 200 and then stay silent forever.
      const known = new Set(layout.slots.map((slot) => slot.id));
      const unknown = [...filter].filter((id) => !known.has(id));
      if (unknown.length > 0) {
        release();
        throw new ApiError('NOT_FOUND', `invalid query parameter "facilities": no facility ${unknown.map((id) => `"${id}"`).join(', ')}`);
      }
    }
    const client = new ClientQueue(filter, hub.seq);
    hub.attach(client);
    const changes = hub.changesSince(c.req.header('Last-Event-ID') ?? c.req.query('lastEventId'));
    if (changes) for (const { facilityId, seq } of changes) client.offer(facilityId, seq);
    else for (const slot of layout.slots) client.offerSnapshot(slot.id);
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      let ping = false;
      const keepAlive = setInterval(() => {
        ping = true;
        client.wake();
      }, keepAliveMs);
      stream.onAbort(() => {
        hub.detach(client);
        release();
        client.wake();
      });
      try {
        await writeWithin(
          stream,
          stream.writeSSE({ event: 'hello', data: `{"resumed":${changes !== null}}`, retry: RECONNECT_MS }),
          stallTimeoutMs,
        );
        while (!stream.aborted && !client.closed) {
          const next = client.take();
          if (next) {
            const entry = await cache.get(next.facilityId);
            if (!entry) continue;
            const id = next.eventSeq === null ? undefined : hub.formatEventId(next.eventSeq);
            await writeWithin(
              stream,
              stream.writeSSE({ event: 'availability', data: entry.availabilityJson, ...(id ? { id } : {}) }),
              stallTimeoutMs,
            );
          } else if (ping) {
            ping = false;
            await writeWithin(
              stream,
              stream.write(': keep-alive\n\n').then(() => {}),
              stallTimeoutMs,
            );
          } else {
            await client.wait();
          }
        }
      } catch (err) {
        if (!(err instanceof StallError) && !stream.aborted) throw err;
      } finally {
        clearInterval(keepAlive);
        hub.detach(client);
        release();
      }
    });
  });
  return app;
}
