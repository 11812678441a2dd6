import { createLogger, createSilentLogger } from '@freiplatz/config';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../app-env.js';
import { createOperatorKey, revokeOperatorKey } from '../../cli/operator-keys.js';
import { createErrorHandler } from '../../errors.js';
import { parseApiKey } from '../../middleware/auth/api-key.js';
import { createOpsRoutes } from './index.js';
import { createOpsFixture, type OpsFixture } from './ops-fixture.js';

const expectError = async (res: Response, status: number, code: string) => {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
  expect(body).toEqual({ error: { code, message: expect.any(String), requestId: expect.any(String) } });
  expect(JSON.stringify(body)).not.toMatch(/select|insert|at .*\.ts:\d+/i);
  return body;
};

describe('operator API: security', () => {
  let f: OpsFixture;
  const lines: string[] = [];
  beforeAll(async () => {
    f = await createOpsFixture(createLogger({ level: 'debug', destination: { write: (line) => lines.push(line) } }));
  });
  afterAll(async () => f?.h.close());

  it.each([
    ['no Authorization header', undefined],
    ['a malformed key', 'not-a-key'],
    ['an unknown key id', `fpk_aaaaaaaaaaaa_${'A'.repeat(43)}`],
  ])('refuses %s with 401 and WWW-Authenticate', async (_name, token) => {
    const res = await f.get('/v1/ops/summary', token);
    await expectError(res, 401, 'UNAUTHORIZED');
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('refuses a known key id with the wrong secret', async () => {
    const { id } = parseApiKey(f.keys.reader)!;
    await expectError(await f.get('/v1/ops/summary', `fpk_${id}_${'B'.repeat(43)}`), 401, 'UNAUTHORIZED');
  });

  it('refuses a revoked key on the very next request, even one verified a moment ago', async () => {
    const created = await createOperatorKey(f.h.db, { name: 'temp', scopes: ['ops:read'], facilityIds: [] });
    if (!created.ok) throw new Error(created.message);
    expect((await f.get('/v1/ops/summary', created.token)).status).toBe(200);
    expect(await revokeOperatorKey(f.h.db, created.id)).toBe(true);
    const body = await expectError(await f.get('/v1/ops/summary', created.token), 401, 'UNAUTHORIZED');
    expect(body.error.message).toContain('revoked');
  });

  it.each([
    ['PUT /registry', 'PUT', '/v1/ops/registry', { version: 1, facilities: [] }],
    ['POST closures', 'POST', '/v1/ops/facilities/quick/closures', { closed: true, reason: 'x' }],
  ])('refuses %s without the registry:write scope (403)', async (_name, method, path, body) => {
    const res = await f.send(method, path, body, f.keys.reader);
    const err = await expectError(res, 403, 'FORBIDDEN');
    expect(err.error.message).toContain('registry:write');
  });

  it.each([
    ['another facility’s sensor', 'GET', '/v1/ops/sensors/quick-1-s', undefined],
    ['another facility’s sensor list', 'GET', '/v1/ops/sensors?facility=quick', undefined],
    ['closing another facility', 'POST', '/v1/ops/facilities/quick/closures', { closed: true, reason: 'x' }],
    [
      'importing another facility',
      'PUT',
      '/v1/ops/registry',
      { version: 1, facilities: [{ id: 'quick', name: 'Hijack', kind: 'on_street', location: { lat: 52, lon: 11 } }] },
    ],
    ['the city-wide dead letters', 'GET', '/v1/ops/rejects', undefined],
    ['the city-wide audit log', 'GET', '/v1/ops/audit', undefined],
  ])('refuses a facility-scoped key on %s (403)', async (_name, method, path, body) => {
    const res = method === 'GET' ? await f.get(path, f.keys.garage) : await f.send(method, path, body, f.keys.garage);
    await expectError(res, 403, 'FORBIDDEN');
    const quick = await f.h.db.selectFrom('facilities').select('name').where('id', '=', 'quick').executeTakeFirstOrThrow();
    expect(quick.name).toBe('Quick street');
  });

  it('shows a facility-scoped key only its own facility’s sensors', async () => {
    const res = await f.get('/v1/ops/sensors', f.keys.garage);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { id: string; facilityId: string }[] };
    expect(body.items.map((s) => s.id).sort()).toEqual(['gate-in', 'gate-out']);
  });

  it('audits failed authentications and refused uses', async () => {
    const rows = await f.h.db.selectFrom('audit_log').select(['action', 'status', 'key_id']).execute();
    expect(rows.some((r) => r.action === 'auth.failed' && r.status === 401)).toBe(true);
    expect(rows.some((r) => r.action === 'key.use' && r.status === 403 && r.key_id === parseApiKey(f.keys.garage)!.id)).toBe(true);
  });

  it('never stores or logs a key or its secret in clear', async () => {
    const tokens = Object.values(f.keys);
    await f.get('/v1/ops/summary', `${tokens[0]}x`);
    const { rows } = await sql<{ dump: string }>`
      SELECT (SELECT coalesce(json_agg(k), '[]')::text FROM api_keys k) || (SELECT coalesce(json_agg(a), '[]')::text FROM audit_log a) AS dump`.execute(
      f.h.db,
    );
    const dump = rows[0]!.dump;
    const log = lines.join('');
    expect(log).toContain('operator authentication failed');
    for (const token of tokens) {
      const { id, secret } = parseApiKey(token)!;
      expect(dump).toContain(id);
      expect(dump).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
    expect(dump).toMatch(/scrypt\$32768\$8\$1\$/);
  });
});

describe('operator API: failed authentication is rate-limited', () => {
  let f: OpsFixture;
  beforeAll(async () => {
    f = await createOpsFixture();
  });
  afterAll(async () => f?.h.close());

  it('answers 429 with Retry-After after too many failures from one client, even for a valid key', async () => {
    const app = new Hono<AppEnv>();
    app.use(requestId());
    app.route('/v1/ops', createOpsRoutes({ db: f.h.db, logger: createSilentLogger(), now: () => new Date(), authFailureLimit: 3 }));
    app.onError(createErrorHandler(createSilentLogger()));
    const bad = { headers: { Authorization: `Bearer fpk_aaaaaaaaaaaa_${'A'.repeat(43)}` } };
    for (let i = 0; i < 3; i++) expect((await app.request('/v1/ops/summary', bad)).status).toBe(401);
    const limited = await app.request('/v1/ops/summary', { headers: { Authorization: `Bearer ${f.keys.reader}` } });
    await expectError(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
