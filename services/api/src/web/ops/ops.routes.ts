import { type Db, listFacilities, listRejectGroups, listSensorHealth, listSensorModels } from '@freiplatz/db';
import { type HealthFlag, healthFlags } from '@freiplatz/domain';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../../app-env.js';
import { errorStatus } from '../../errors.js';
import type { AuthenticateKey } from '../../middleware/auth/authenticate-key.js';
import { closeFacility } from '../../ops/close-facility.js';
import { canReachFacility, isCityWide } from '../../ops/operator.js';
import { toSensorView } from '../../routes/ops/sensor-view.js';
import { type Language, pickLanguage } from '../i18n.js';
import type { MapOptions } from '../pages/public-page.js';
import { renderDashboard } from './dashboard-page.js';
import { renderLoginPage } from './login-page.js';
import { isSameOrigin, loginFormToken, type OpsAuthDeps, readSession, signIn, signOut } from './ops-auth.js';
import { opsText } from './ops-i18n.js';
import { createOpsSessions } from './session.js';

export interface OpsWebOptions {
  db: Db;
  now: () => Date;
  map: MapOptions;
  /** The one key authentication, shared with the bearer API (rate limit, scrypt, audit). */
  authenticateKey: AuthenticateKey;
  /** The client of a request (the forwarded one behind trusted proxies). */
  clientKey: (c: Context<AppEnv>) => string;
  /** Signs the dashboard's form tokens; the same on all API replicas (random per process otherwise). */
  sessionSecret?: Buffer;
  /** Set the Secure flag on the dashboard's cookies (behind TLS). */
  secureCookies?: boolean;
}

/** The operators' dashboard under `/ops`: sign in with an API key, then a server-side session behind an HttpOnly cookie. */
export function createOpsWebRoutes(options: OpsWebOptions): Hono {
  const { db, now } = options;
  const deps: OpsAuthDeps = {
    db,
    sessions: createOpsSessions(db, options.sessionSecret),
    authenticateKey: options.authenticateKey,
    clientKey: options.clientKey,
    secure: options.secureCookies ?? false,
  };
  const app = new Hono();
  const lang = (c: Context): Language => pickLanguage(c.req.query('lang'), undefined, c.req.header('Accept-Language'));
  const small = bodyLimit({ maxSize: 4096, onError: (c) => c.text('request too large', 413) });
  const loginPage = (c: Context, l: Language, status: 200 | 401 | 403 | 429, error?: string) =>
    c.html(renderLoginPage(l, loginFormToken(c, deps), error), status);
  app.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  app.get('/', async (c) => {
    const l = lang(c);
    const at = now();
    const auth = await readSession(c, deps, at);
    if (!auth) return loginPage(c, l, 200);
    const raw = c.req.query('health');
    const filter = (healthFlags as readonly string[]).includes(raw ?? '') ? (raw as HealthFlag) : null;
    const [records, models, facilities, rejects] = await Promise.all([
      listSensorHealth(db, at, { facilityIds: auth.key.facilityIds }),
      listSensorModels(db),
      listFacilities(db),
      isCityWide(auth.key)
        ? listRejectGroups(db, { since: new Date(at.getTime() - 7 * 86_400_000), samplesPerCode: 1 })
        : Promise.resolve(null),
    ]);
    const visible = facilities.filter((f) => canReachFacility(auth.key, f.id));
    return c.html(
      renderDashboard(l, {
        key: auth.key,
        csrf: deps.sessions.csrfToken(auth.session),
        sensors: records.map((r) => toSensorView(r, models, at)),
        facilities: visible,
        closedFacilities: new Set(visible.filter((f) => f.state.status === 'closed').map((f) => f.id)),
        rejects,
        filter,
        page: Number.parseInt(c.req.query('page') ?? '1', 10) || 1,
        now: at,
        map: options.map,
      }),
    );
  });

  app.post('/login', small, async (c) => {
    const l = lang(c);
    const form = await c.req.parseBody();
    const result = await signIn(c, deps, { key: form.key, login: form.login }, now());
    if (result.ok) return c.redirect(`/ops?lang=${l}`, 303);
    switch (result.code) {
      case 'CROSS_SITE':
        return loginPage(c, l, 403, opsText(l, 'staleForm'));
      case 'RATE_LIMITED':
        c.header('Retry-After', String(result.retryAfter));
        return loginPage(c, l, 429, opsText(l, 'rateLimited', { s: result.retryAfter }));
      case 'NO_SCOPE':
        return loginPage(c, l, 403, opsText(l, 'noScope'));
      case 'INVALID':
        return loginPage(c, l, 401, opsText(l, 'invalid'));
    }
  });

  app.post('/logout', small, async (c) => {
    const form = await c.req.parseBody();
    if (!(await signOut(c, deps, form.csrf, now()))) return c.text('forbidden', 403);
    return c.redirect('/ops', 303);
  });

  app.post('/facilities/:id/closure', small, async (c) => {
    const l = lang(c);
    const at = now();
    const auth = await readSession(c, deps, at);
    if (!auth) return loginPage(c, l, 401, opsText(l, 'invalid'));
    const form = await c.req.parseBody();
    if (!isSameOrigin(c) || !deps.sessions.checkCsrf(auth.session, form.csrf)) return c.text('forbidden', 403);
    const result = await closeFacility(
      db,
      { key: auth.key, method: 'POST', path: c.req.path, okStatus: 303, now: at },
      { facilityId: c.req.param('id'), closed: form.closed === 'true', spots: null },
    );
    if (!result.ok) return c.text(result.message, errorStatus[result.code]);
    return c.redirect(`/ops?lang=${l}`, 303);
  });
  return app;
}
