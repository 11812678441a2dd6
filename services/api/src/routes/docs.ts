import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { renderDocsPage } from '../openapi/docs-page.js';
import { buildOpenApiDocument } from '../openapi/document.js';

/** Creates `/openapi.json` and `/docs` (a page rendered from the document, no scripts, no CDN). */
export function createDocsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const document = buildOpenApiDocument();
  const json = JSON.stringify(document);
  const html = renderDocsPage(document);
  const headers = { 'Cache-Control': 'public, max-age=300' };
  app.get('/openapi.json', (c) =>
    c.body(json, 200, { ...headers, 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' }),
  );
  app.get('/docs', (c) =>
    c.html(html, 200, { ...headers, 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" }),
  );
  return app;
}
