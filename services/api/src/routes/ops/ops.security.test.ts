import { createLogger, createSilentLogger } from '@freiplatz/config';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpsFixture, type OpsFixture } from '../../../../../test/support/ops-fixture.js';
import type { AppEnv } from '../../app-env.js';
import { createOperatorKey, revokeOperatorKey } from '../../cli/operator-keys.js';
import { createErrorHandler } from '../../errors.js';
import { parseApiKey } from '../../middleware/auth/api-key.js';
import { createOpsRoutes } from './index.js';

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
    ['closing another facility', 'POST', '/v1/ops/facilities/quick/closures', { closed: true, reason: 'x' }, 404, 'NOT_FOUND'],
    [
      'importing another facility',
      'PUT',
      '/v1/ops/registry',
      { version: 1, facilities: [{ id: 'quick', name: 'Hijack', kind: 'on_street', location: { lat: 52, lon: 11 } }] },
      403,
      'FORBIDDEN',
    ],
    ['the city-wide dead letters', 'GET', '/v1/ops/rejects', undefined, 403, 'FORBIDDEN'],
    ['the city-wide audit log', 'GET', '/v1/ops/audit', undefined, 403, 'FORBIDDEN'],
  ])('refuses a facility-scoped key on %s', async (_name, method, path, body, status, code) => {
    const res = method === 'GET' ? await f.get(path, f.keys.garage) : await f.send(method, path, body, f.keys.garage);
    await expectError(res, status, code);
    const quick = await f.h.db.selectFrom('facilities').select('name').where('id', '=', 'quick').executeTakeFirstOrThrow();
    expect(quick.name).toBe('Quick street');
    expect((await f.h.db.selectFrom('spots').select('closed').where('facility_id', '=', 'quick').execute()).some((s) => s.closed)).toBe(
      false,
    );
  });

  it.each([
    ['a sensor', '/v1/ops/sensors/quick-1-s', '/v1/ops/sensors/nobody-1-s'],
    ['a facility’s sensor list', '/v1/ops/sensors?facility=quick', '/v1/ops/sensors?facility=nowhere'],
  ])('answers a facility-scoped key on %s of another facility as if there were none (404, nothing named)', async (_n, foreign, absent) => {
    const a = await expectError(await f.get(foreign, f.keys.garage), 404, 'NOT_FOUND');
    const b = await expectError(await f.get(absent, f.keys.garage), 404, 'NOT_FOUND');
    expect(a.error.message).not.toMatch(/garage|forbidden|may not/i);
    expect(a.error.message.replace(/"[^"]*"/, '"x"')).toBe(b.error.message.replace(/"[^"]*"/, '"x"'));
  });

  it('refuses, writing nothing, a scoped registry import that takes over another facility’s spot and sensor', async () => {
    const created = await createOperatorKey(f.h.db, {
      name: 'quick writer',
      scopes: ['ops:read', 'registry:write'],
      facilityIds: ['quick'],
    });
    if (!created.ok) throw new Error(created.message);
    const petri = () =>
      f.h.db.selectFrom('facility_state').select(['capacity', 'version']).where('facility_id', '=', 'petri').executeTakeFirstOrThrow();
    const before = await petri();
    const hijack = {
      version: 1,
      facilities: [
        {
          id: 'quick',
          name: 'Quick street',
          kind: 'on_street',
          location: { lat: 52.13, lon: 11.63 },
          spots: [{ id: 'quick-1' }, { id: 'quick-2' }, { id: 'petri-4' }],
        },
      ],
      sensors: [{ id: 'a84041000181c0de', spotId: 'petri-4' }],
    };
    const body = await expectError(await f.send('PUT', '/v1/ops/registry', hijack, created.token), 403, 'FORBIDDEN');
    expect(body.error.message).toContain('petri-4');
    expect(body.error.message).not.toContain('petri"');
    const spot = await f.h.db.selectFrom('spots').select('facility_id').where('id', '=', 'petri-4').executeTakeFirstOrThrow();
    expect(spot.facility_id).toBe('petri');
    expect(await petri()).toEqual(before);
    await expectError(await f.get('/v1/ops/sensors/a84041000181c0de', created.token), 404, 'NOT_FOUND');
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
