import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  png: 'image/png',
  svg: 'image/svg+xml',
};

const OWN = ['app.css', 'public.js', 'facility.js', 'signage.js', 'ops.js'];
const LEAFLET = [
  'leaflet.js',
  'leaflet.css',
  'images/marker-icon.png',
  'images/marker-icon-2x.png',
  'images/marker-shadow.png',
  'images/layers.png',
  'images/layers-2x.png',
];

function load(path: string): Asset {
  const body = readFileSync(path);
  const ext = path.slice(path.lastIndexOf('.') + 1);
  return {
    body,
    type: TYPES[ext] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
  };
}

/** Loads the pages' static files once (our scripts and styles, Leaflet from its npm package): no CDN. */
export function loadAssets(): Map<string, Asset> {
  const own = join(dirname(fileURLToPath(import.meta.url)), 'assets');
  const leaflet = dirname(createRequire(import.meta.url).resolve('leaflet/dist/leaflet.js'));
  const assets = new Map<string, Asset>();
  for (const name of OWN) assets.set(name, load(join(own, name)));
  for (const name of LEAFLET) assets.set(`leaflet/${name}`, load(join(leaflet, name)));
  return assets;
}

/** Serves the preloaded assets under `/assets/*` with ETags. */
export function createAssetRoutes(assets: Map<string, Asset>): Hono {
  const app = new Hono();
  app.get('/*', (c) => {
    const asset = assets.get(c.req.path.replace(/^\/assets\//, ''));
    if (!asset) return c.notFound();
    const headers = { ETag: asset.etag, 'Cache-Control': 'public, max-age=300, stale-while-revalidate=3600' };
    if (c.req.header('If-None-Match') === asset.etag) return c.body(null, 304, headers);
    return c.body(new Uint8Array(asset.body), 200, { ...headers, 'Content-Type': asset.type });
  });
  return app;
}
