// The ceiling: a bare Hono JSON endpoint on @hono/node-server, in its own process like the API.
// `/sized?bytes=N` is the same server answering a fixed JSON body of N bytes: a reference for
// responses as large as a search result, whose cost is mostly moving the bytes.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const bodies = new Map<number, Uint8Array<ArrayBuffer>>();
const bodyOf = (bytes: number) => {
  let body = bodies.get(bytes);
  if (body === undefined) {
    const text = JSON.stringify({ pad: '' });
    body = new TextEncoder().encode(JSON.stringify({ pad: 'x'.repeat(Math.max(0, bytes - text.length)) }));
    bodies.set(bytes, body);
  }
  return body;
};

const app = new Hono();
app.get('/', (c) => c.json({ ok: true, service: 'ceiling' }));
app.get('/sized', (c) => {
  const bytes = Math.min(20_000_000, Math.max(0, Number(c.req.query('bytes') ?? 0) || 0));
  return c.body(bodyOf(bytes), 200, { 'Content-Type': 'application/json' });
});
const port = Number(process.env.PORT ?? 0);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => console.log(`ceiling listening on ${info.port}`));
