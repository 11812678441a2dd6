import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpsFixture, type OpsFixture } from '../../../../../test/support/ops-fixture.js';

describe('operator API: errors', () => {
  let f: OpsFixture;
  beforeAll(async () => {
    f = await createOpsFixture();
  });
  afterAll(async () => f?.h.close());

  it.each([
    ['an unknown health flag', '/v1/ops/sensors?health=sleepy', 400, 'BAD_REQUEST', 'health'],
    ['a bad facility id', '/v1/ops/sensors?facility=Not%20A%20Slug', 400, 'BAD_REQUEST', 'facility'],
    ['a bad sensor id', '/v1/ops/sensors/a%20b', 400, 'BAD_REQUEST', 'sensor id'],
    ['an unknown sensor', '/v1/ops/sensors/nobody', 404, 'NOT_FOUND', 'nobody'],
    ['a bad event limit', '/v1/ops/sensors/quick-1-s?limit=0', 400, 'BAD_REQUEST', 'limit'],
    ['a bad rejects window', '/v1/ops/rejects?hours=-1', 400, 'BAD_REQUEST', 'hours'],
    ['a bad audit cursor', '/v1/ops/audit?before=abc', 400, 'BAD_REQUEST', 'before'],
    ['an unknown ops path', '/v1/ops/nothing', 404, 'NOT_FOUND', 'no such'],
  ])('answers %s in the one error shape', async (_name, path, status, code, messagePart) => {
    const res = await f.get(path, f.keys.admin);
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toContain(messagePart);
  });

  it.each([
    ['a body that is not JSON', 'PUT', '/v1/ops/registry', '{nope', 400, 'JSON'],
    ['an invalid registry', 'PUT', '/v1/ops/registry', { version: 2, facilities: [] }, 400, 'version'],
    ['a closure without reason', 'POST', '/v1/ops/facilities/quick/closures', { closed: true }, 400, 'reason'],
    [
      'a reopening without reason',
      'POST',
      '/v1/ops/facilities/quick/closures',
      { closed: false },
      400,
      'reason: is required, closing and reopening alike',
    ],
    [
      'a closure of a foreign spot',
      'POST',
      '/v1/ops/facilities/quick/closures',
      { closed: true, spots: ['ulrich-17'], reason: 'x' },
      400,
      'ulrich-17',
    ],
    ['a closure of an unknown facility', 'POST', '/v1/ops/facilities/nowhere/closures', { closed: true, reason: 'x' }, 404, 'nowhere'],
    ['a registry over 5 MiB', 'PUT', '/v1/ops/registry', `{"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`, 413, 'too large'],
  ])('refuses %s', async (_name, method, path, body, status, messagePart) => {
    const res = await f.send(method, path, body, f.keys.admin);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: { message: string } };
    expect(json.error.message).toContain(messagePart);
  });

  it('refuses a body not sent as JSON (the documented media type) before reading it', async () => {
    const res = await f.app.hono.request('/v1/ops/facilities/quick/closures', {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.keys.admin}`, 'Content-Type': 'text/plain' },
      body: JSON.stringify({ closed: true, reason: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Unsupported Media Type',
    });
  });

  it('enforces the limits its OpenAPI document states, from the same definition', async () => {
    const doc = (await (await f.get('/openapi.json')).json()) as {
      paths: Record<string, { get: { parameters: Array<{ name: string; schema: { minimum?: number; maximum?: number } }> } }>;
    };
    const limit = doc.paths['/v1/ops/audit']?.get.parameters.find((p) => p.name === 'limit')?.schema;
    expect(limit).toMatchObject({ minimum: 1, maximum: 1000 });
    expect((await f.get('/v1/ops/audit?limit=1000', f.keys.admin)).status).toBe(200);
    const over = await f.get('/v1/ops/audit?limit=1001', f.keys.admin);
    expect(over.status).toBe(400);
    expect(((await over.json()) as { error: { message: string } }).error.message).toBe('limit must be an integer from 1 to 1000');
  });
});
