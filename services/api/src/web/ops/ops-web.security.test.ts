import { createSilentLogger } from '@freiplatz/config';
import { createTestDatabase as createHarness, type TestDatabase as Harness } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSensorsRegistry } from '../../../../../test/sensors/registry.js';
import { createApp } from '../../app.js';
import { createOperatorKey } from '../../cli/operator-keys.js';

type App = ReturnType<typeof createApp>;

/** A browser-like client of the dashboard: keeps cookies, sends forms, comes through a proxy at `peer`. */
export function createDashboardClient(app: App, options: { peer?: string; forwardedFor?: string } = {}) {
  const jar = new Map<string, string>();
  const env = { incoming: { socket: { remoteAddress: options.peer ?? '10.0.0.5' } } };
  const request = async (path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = {
      Host: 'ops.example',
      Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      ...(options.forwardedFor ? { 'X-Forwarded-For': options.forwardedFor } : {}),
      ...(init.form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      ...init.headers,
    };
    const res = await app.hono.request(
      `http://ops.example${path}`,
      {
        method: init.method ?? (init.form ? 'POST' : 'GET'),
        headers,
        ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
      },
      env,
    );
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (value === '' || /max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? '';
  return {
    jar,
    request,
    hidden,
    /** Opens the sign-in page and signs in with `key`; returns the POST's response. */
    async signIn(key: string, headers: Record<string, string> = { 'Sec-Fetch-Site': 'same-origin', Origin: 'https://ops.example' }) {
      const page = await (await request('/ops?lang=en')).text();
      return request('/ops/login?lang=en', { form: { key, login: hidden(page, 'login') }, headers });
    },
    /** The CSRF token of the dashboard page as currently signed in ('' when not). */
    async csrf() {
      return hidden(await (await request('/ops?lang=en')).text(), 'csrf');
    },
  };
}

describe("operators' dashboard: sessions, sign-in and writes", () => {
  let h: Harness;
  let app: App;
  const keys = { reader: '', garage: '', admin: '' };
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildSensorsRegistry());
    app = createApp({ db: h.db, logger: createSilentLogger(), trustedProxies: ['10.0.0.0/8'], map: { tileUrl: '', attribution: '' } });
    for (const [name, scopes, facilities] of [
      ['reader', ['ops:read'], []],
      ['garage', ['ops:read', 'registry:write'], ['garage']],
      ['admin', ['ops:read', 'registry:write'], []],
    ] as const) {
      const created = await createOperatorKey(h.db, { name, scopes: [...scopes], facilityIds: [...facilities] });
      if (!created.ok) throw new Error(created.message);
      keys[name] = created.token;
    }
  });
  afterAll(async () => h?.close());

  it.each([
    ['without the form’s login token', { 'Sec-Fetch-Site': 'same-origin' }, false],
    ['from another site (Sec-Fetch-Site)', { 'Sec-Fetch-Site': 'cross-site' }, true],
    ['from another origin (Origin)', { Origin: 'https://evil.example' }, true],
  ])('refuses a sign-in %s: 403, no session', async (_name, headers, withToken) => {
    const client = createDashboardClient(app);
    const page = await (await client.request('/ops?lang=en')).text();
    const form = { key: keys.reader, ...(withToken ? { login: client.hidden(page, 'login') } : {}) };
    const res = await client.request('/ops/login?lang=en', { form, headers });
    expect(res.status).toBe(403);
    expect(client.jar.has('fp_ops')).toBe(false);
    expect(await client.csrf()).toBe('');
  });

  it('signs in with the login token; the session is kept server-side, its token stored only hashed', async () => {
    const client = createDashboardClient(app);
    const res = await client.signIn(keys.reader);
    expect(res.status).toBe(303);
    const token = client.jar.get('fp_ops') ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await h.db.selectFrom('ops_sessions').select(['token_hash', 'revoked_at']).execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(await client.csrf()).not.toBe('');
  });

  it('keeps the session on a sign-out without the CSRF token, and ends it at once on every replica with it', async () => {
    const client = createDashboardClient(app);
    await client.signIn(keys.reader);
    const stolen = client.jar.get('fp_ops') ?? '';
    expect((await client.request('/ops/logout', { form: {} })).status).toBe(403);
    expect((await client.request('/ops/logout', { form: { csrf: 'x' } })).status).toBe(403);
    const csrf = await client.csrf();
    expect(csrf).not.toBe('');
    expect((await client.request('/ops/logout', { form: { csrf }, headers: { 'Sec-Fetch-Site': 'same-origin' } })).status).toBe(303);
    // The old cookie, replayed here and on a second replica on the same database, opens nothing.
    const replica = createApp({ db: h.db, logger: createSilentLogger(), map: { tileUrl: '', attribution: '' } });
    for (const target of [app, replica]) {
      const replay = createDashboardClient(target);
      replay.jar.set('fp_ops', stolen);
      expect(await replay.csrf()).toBe('');
    }
    const audit = await h.db.selectFrom('audit_log').select('action').where('action', '=', 'auth.logout').execute();
    expect(audit).toHaveLength(1);
  });

  it('answers a dashboard closure outside the key’s facilities as absent (404), changes nothing, and audits closures from both doors alike', async () => {
    const garage = createDashboardClient(app);
    await garage.signIn(keys.garage);
    const csrf = await garage.csrf();
    const res = await garage.request('/ops/facilities/quick/closure?lang=en', { form: { csrf, closed: 'true' } });
    expect(res.status).toBe(404);
    const closed = await h.db.selectFrom('spots').select('id').where('facility_id', '=', 'quick').where('closed', '=', true).execute();
    expect(closed).toEqual([]);

    const admin = createDashboardClient(app);
    await admin.signIn(keys.admin);
    const ok = await admin.request('/ops/facilities/quick/closure?lang=en', { form: { csrf: await admin.csrf(), closed: 'true' } });
    expect(ok.status).toBe(303);
    const bearer = await app.hono.request('/v1/ops/facilities/quick/closures', {
      method: 'POST',
      headers: { Authorization: `Bearer ${keys.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ closed: false, reason: 'done' }),
    });
    expect(bearer.status).toBe(200);
    const audit = await h.db.selectFrom('audit_log').select(['action', 'path']).where('facility_id', '=', 'quick').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['facility.close', 'facility.reopen']);
  });

  it('refuses a dashboard write without the session’s CSRF token', async () => {
    const admin = createDashboardClient(app);
    await admin.signIn(keys.admin);
    const res = await admin.request('/ops/facilities/quick/closure?lang=en', { form: { csrf: 'forged', closed: 'true' } });
    expect(res.status).toBe(403);
  });

  it('counts 200 parallel bad sign-ins from one client before hashing (10 checks), without locking out another client behind the same proxy', async () => {
    const attacker = createDashboardClient(app, { forwardedFor: '198.51.100.66' });
    const page = await (await attacker.request('/ops?lang=en')).text();
    const login = attacker.hidden(page, 'login');
    const before = (await h.db.selectFrom('audit_log').select('id').where('action', '=', 'auth.failed').execute()).length;
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        attacker
          .request('/ops/login?lang=en', { form: { key: `fpk_${String(i).padStart(12, 'b')}_${'A'.repeat(43)}`, login } })
          .then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(190);
    const after = (await h.db.selectFrom('audit_log').select('id').where('action', '=', 'auth.failed').execute()).length;
    expect(after - before).toBe(10);
    // The same proxy, another client: signs in; the bearer door shares the count of the attacker.
    const operator = createDashboardClient(app, { forwardedFor: '198.51.100.10' });
    expect((await operator.signIn(keys.reader)).status).toBe(303);
    const bearer = await app.hono.request(
      '/v1/ops/summary',
      { headers: { Authorization: `Bearer ${keys.reader}`, 'X-Forwarded-For': '198.51.100.66' } },
      { incoming: { socket: { remoteAddress: '10.0.0.5' } } },
    );
    expect(bearer.status).toBe(429);
  });

  it('shows names holding HTML as text on the dashboard', async () => {
    await h.db
      .updateTable('facilities')
      .set({ name: '<b id=pwn>x</b><meta http-equiv=refresh content=0;url=https://evil.example>' })
      .where('id', '=', 'garage')
      .execute();
    const admin = createDashboardClient(app);
    await admin.signIn(keys.admin);
    const html = await (await admin.request('/ops?lang=en')).text();
    expect(html).not.toContain('<b id=pwn>');
    expect(html).not.toContain('<meta http-equiv=refresh');
    expect(html).toContain('&lt;b id=pwn&gt;');
  });
});
