import { createSilentLogger } from '@freiplatz/config';
import { createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';

describe('OpenAPI document and docs page', () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  let document: { openapi: string; paths: Record<string, Record<string, unknown>> };

  beforeAll(async () => {
    h = await createHarness();
    app = createApp({ db: h.db, logger: createSilentLogger() });
    const res = await app.hono.request('/openapi.json');
    expect(res.status).toBe(200);
    document = (await res.json()) as typeof document;
  });
  afterAll(async () => h?.close());

  it('serves an OpenAPI 3.1 document that a real validator accepts', async () => {
    expect(document.openapi).toBe('3.1.0');
    // The validator dereferences in place: give it a copy.
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, compileErrors(result)).toBe(true);
    // The validator is not a rubber stamp: a document missing its info title fails.
    expect((await validate({ ...structuredClone(document), info: { version: '1' } } as never)).valid).toBe(false);
  });

  it('documents every route of the app, the operator API with its security scheme', () => {
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    const routes = [
      ...new Set(
        app.hono.routes
          .filter(
            (r) =>
              ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'].includes(r.method) &&
              (r.path.startsWith('/v1/') ||
                r.path.startsWith('/ngsi-ld/') ||
                ['/healthz', '/readyz', '/openapi.json', '/docs'].includes(r.path)),
          )
          .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '')}`),
      ),
    ];
    expect(routes.length).toBeGreaterThanOrEqual(17);
    for (const route of routes) expect(documented, route).toContain(route);
    expect(routes.filter((r) => r.includes('/v1/ops/'))).toHaveLength(8);
    const ops = Object.entries(document.paths).filter(([path]) => path.startsWith('/v1/ops/'));
    for (const [, methods] of ops)
      for (const op of Object.values(methods) as Array<{ security?: unknown }>) expect(op.security).toEqual([{ apiKey: [] }]);
    expect((document as { components?: { securitySchemes?: unknown } }).components?.securitySchemes).toEqual({
      apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
  });

  it('describes search parameters from the zod schemas, with limits', () => {
    const search = document.paths['/v1/facilities']?.get as { parameters: Array<{ name: string; schema: { maximum?: number } }> };
    expect(search.parameters.map((p) => p.name).sort()).toEqual([
      'available',
      'bbox',
      'category',
      'cursor',
      'kind',
      'limit',
      'near',
      'radius',
    ]);
    expect(search.parameters.find((p) => p.name === 'radius')?.schema.maximum).toBe(50_000);
  });

  it('renders a self-contained human docs page from the document', async () => {
    const res = await app.hono.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    const html = await res.text();
    for (const path of Object.keys(document.paths)) expect(html).toContain(`<code>${path}</code>`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.apache)/);
  });
});
