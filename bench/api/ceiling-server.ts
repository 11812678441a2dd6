// The ceiling: a bare Hono JSON endpoint on @hono/node-server, in its own process like the API.
// `/sized?bytes=N` is the same server answering a fixed JSON body of N bytes: a reference for
// responses as large as a search result, whose cost is mostly moving the bytes.
import { randomBytes } from 'node:crypto';
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

// `&binary=1`: the same number of bytes, but incompressible binary like a gzip answer. The load
// client (autocannon) reads bodies with high-bit bytes about 9× slower than ASCII ones of the same
// size (measured: 39 KB at 50 connections, ~1,400 vs ~12,500 req/s from a bare node:http server),
// so a gzip export must be compared with a binary body, not with a padded JSON one.
const binaries = new Map<number, Uint8Array<ArrayBuffer>>();
const binaryOf = (bytes: number) => {
  let body = binaries.get(bytes);
  if (body === undefined) {
    body = new Uint8Array(randomBytes(bytes));
    binaries.set(bytes, body);
  }
  return body;
};

const app = new Hono();
app.get('/', (c) => c.json({ ok: true, service: 'ceiling' }));
app.get('/sized', (c) => {
  const bytes = Math.min(20_000_000, Math.max(0, Number(c.req.query('bytes') ?? 0) || 0));
  if (c.req.query('binary') === '1') return c.body(binaryOf(bytes), 200, { 'Content-Type': 'application/octet-stream' });
  return c.body(bodyOf(bytes), 200, { 'Content-Type': 'application/json' });
});
const port = Number(process.env.PORT ?? 0);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => console.log(`ceiling listening on ${info.port}`));
