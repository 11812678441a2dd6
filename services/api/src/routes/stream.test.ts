import { createSilentLogger } from '@freiplatz/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../../../../test/harness.js';
import { createApp } from '../app.js';
import { type ApiServer, startApiServer } from '../server.js';

interface SseEvent {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
}

/** Reads an SSE response through the real HTTP server, collecting parsed events. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const done = (async () => {
    try {
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const e: SseEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) e.comment = line.slice(1).trim();
            const m = line.match(/^(event|id|data): ?(.*)$/);
            if (m) e[m[1] as 'event' | 'id' | 'data'] = m[2] as string;
          }
          events.push(e);
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  return {
    res,
    events,
    availability: () =>
      events.filter((e) => e.event === 'availability').map((e) => JSON.parse(e.data ?? '{}') as { id: string; free: number }),
    lastId: () => events.filter((e) => e.id).at(-1)?.id,
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

describe('GET /v1/stream (server-sent events)', () => {
  let h: Harness;
  let server: ApiServer;
  const url = (query = '') => `${server.url}/v1/stream${query}`;

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'a', spots: 2 }, { id: 'b', spots: 2 }, { id: 'c', spots: 2 }));
    const app = createApp({ db: h.db, logger: createSilentLogger(), databaseUrl: h.databaseUrl, stream: { keepAliveMs: 200 } });
    server = await startApiServer({ app, port: 0 });
    await h.startIngest();
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  describe('happy paths', () => {
    it('starts with the current state of every facility, then pushes changes, with keep-alive comments', async () => {
      const s = await openStream(url());
      try {
        expect(s.res.headers.get('Content-Type')).toBe('text/event-stream');
        expect(s.res.headers.get('Access-Control-Allow-Origin')).toBe('*');
        await expect.poll(() => s.availability().map((e) => e.id)).toEqual(['a', 'b', 'c']);
        expect(s.events[0]).toMatchObject({ event: 'hello' });
        await h.publish('parking/v1/bays/b-1-s', { occupied: false, ts: Date.now(), seq: 1 });
        await expect.poll(() => s.availability().at(-1)).toMatchObject({ id: 'b', free: 1 });
        expect(s.lastId()).toMatch(/^[0-9a-f]{8}-\d+$/);
        await expect.poll(() => s.events.some((e) => e.comment === 'keep-alive')).toBe(true);
      } finally {
        await s.close();
      }
    });

    it('sends only the facilities asked for', async () => {
      const s = await openStream(url('?facilities=c'));
      try {
        await expect.poll(() => s.availability().map((e) => e.id)).toEqual(['c']);
        await h.publish('parking/v1/bays/a-1-s', { occupied: true, ts: Date.now(), seq: 2 });
        await h.publish('parking/v1/bays/c-1-s', { occupied: false, ts: Date.now(), seq: 2 });
        await expect.poll(() => s.availability().length).toBe(2);
        expect(s.availability().map((e) => e.id)).toEqual(['c', 'c']);
      } finally {
        await s.close();
      }
    });

    it('resumes after a reconnect with Last-Event-ID: only what changed meanwhile', async () => {
      const first = await openStream(url());
      await expect.poll(() => first.availability().length).toBe(3);
      await h.publish('parking/v1/bays/a-2-s', { occupied: false, ts: Date.now(), seq: 3 });
      await expect.poll(() => first.availability().at(-1)?.id).toBe('a');
      const lastId = first.lastId() as string;
      await first.close();

      await h.publish('parking/v1/bays/c-2-s', { occupied: false, ts: Date.now(), seq: 3 });
      await expect
        .poll(async () => ((await (await fetch(`${server.url}/v1/facilities/c/availability`)).json()) as { free: number }).free)
        .toBe(2);
      const resumed = await openStream(url(), { 'Last-Event-ID': lastId });
      try {
        await expect.poll(() => resumed.availability().map((e) => [e.id, e.free])).toEqual([['c', 2]]);
        expect(resumed.events[0]).toMatchObject({ event: 'hello', data: '{"resumed":true}' });
        expect(resumed.lastId()).not.toBe(lastId);
      } finally {
        await resumed.close();
      }
    });
  });

  describe('error paths', () => {
    it('sends a full snapshot when the Last-Event-ID is unknown (another process, or too old)', async () => {
      const s = await openStream(url(), { 'Last-Event-ID': 'deadbeef-1' });
      try {
        await expect.poll(() => s.availability().map((e) => e.id)).toEqual(['a', 'b', 'c']);
        expect(s.events[0]).toMatchObject({ event: 'hello', data: '{"resumed":false}' });
      } finally {
        await s.close();
      }
    });

    it('answers 404 in the error shape for a facility that does not exist, instead of a silent stream', async () => {
      const res = await fetch(url('?facilities=c,nope'));
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: { code: 'NOT_FOUND', message: 'invalid query parameter "facilities": no facility "nope"', requestId: expect.any(String) },
      });
    });

    it('sends the closed count with every change: free + occupied + unknown + closed = capacity', async () => {
      const s = await openStream(url('?facilities=a'));
      try {
        await expect.poll(() => s.availability().length).toBe(1);
        const [first] = s.availability() as unknown as Array<Record<string, number>>;
        expect(first).toHaveProperty('closed');
        expect((first?.free ?? 0) + (first?.occupied ?? 0) + (first?.unknown ?? 0) + (first?.closed ?? 0)).toBe(first?.capacity);
      } finally {
        await s.close();
      }
    });

    it('rejects a bad facilities filter with 400 naming it', async () => {
      const res = await fetch(url('?facilities=A,b'));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('"facilities"');
    });
  });

  describe('security', () => {
    it('caps open streams per client (the forwarded client behind a trusted proxy), and frees a slot when one ends', async () => {
      const app = createApp({
        db: h.db,
        logger: createSilentLogger(),
        trustedProxies: ['127.0.0.1'],
        stream: { keepAliveMs: 200, maxPerClient: 2 },
      });
      const capped = await startApiServer({ app, port: 0 });
      const from = (client: string) => ({ 'X-Forwarded-For': client });
      const open: Array<Awaited<ReturnType<typeof openStream>>> = [];
      try {
        for (let i = 0; i < 2; i++) open.push(await openStream(`${capped.url}/v1/stream`, from('198.51.100.7')));
        expect(open.map((s) => s.res.status)).toEqual([200, 200]);
        const third = await fetch(`${capped.url}/v1/stream`, { headers: from('198.51.100.7') });
        expect(third.status).toBe(429);
        expect(third.headers.get('Retry-After')).toBe('10');
        expect(await third.json()).toEqual({
          error: { code: 'RATE_LIMITED', message: expect.stringContaining('at most 2'), requestId: expect.any(String) },
        });
        // Another client behind the same proxy still gets its own streams.
        open.push(await openStream(`${capped.url}/v1/stream`, from('198.51.100.8')));
        expect(open[2]?.res.status).toBe(200);
        await open.shift()?.close();
        await expect
          .poll(async () => {
            const again = await openStream(`${capped.url}/v1/stream`, from('198.51.100.7'));
            if (again.res.status === 200) open.push(again);
            else await again.close();
            return again.res.status;
          })
          .toBe(200);
      } finally {
        await Promise.all(open.map((s) => s.close()));
        await capped.close();
      }
    });
  });
});
