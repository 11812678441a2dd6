// The ceiling: a bare Hono JSON endpoint on @hono/node-server, in its own process like the API.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.json({ ok: true, service: 'ceiling' }));
const port = Number(process.env.PORT ?? 0);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => console.log(`ceiling listening on ${info.port}`));
