import {
  type Db,
  insertAuditEntries,
  listFacilities,
  listRejectGroups,
  listSensorHealth,
  listSensorModels,
  setSpotsClosed,
} from '@freiplatz/db';
import { type HealthFlag, healthFlags } from '@freiplatz/domain';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie } from 'hono/cookie';
import { createFailureLimiter } from '../../middleware/auth/failure-limiter.js';
import { toSensorView } from '../../routes/ops/sensor-view.js';
import { type Language, pickLanguage } from '../i18n.js';
import type { MapOptions } from '../pages/public-page.js';
import { renderDashboard } from './dashboard-page.js';
import { renderLoginPage } from './login-page.js';
import { readSession, SESSION_COOKIE, signIn } from './ops-auth.js';
import { opsText } from './ops-i18n.js';
import { createSessionCodec, type SessionCodec } from './session.js';

export interface OpsWebOptions {
  db: Db;
  now: () => Date;
  map: MapOptions;
  /** Shared by all API replicas so sessions survive a switch of replica; random per process otherwise. */
  sessionSecret?: Buffer;
  /** Set the Secure flag on the session cookie (behind TLS). */
  secureCookies?: boolean;
}

const SLUG = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** The operators' dashboard under `/ops`: sign in with an API key, then an HttpOnly session cookie. */
export function createOpsWebRoutes(options: OpsWebOptions): Hono {
  const { db, now } = options;
  const sessions: SessionCodec = createSessionCodec(options.sessionSecret);
  const limiter = createFailureLimiter({ limit: 10, windowMs: 60_000 });
  const app = new Hono();
  const lang = (c: Context): Language => pickLanguage(c.req.query('lang'), undefined, c.req.header('Accept-Language'));
  const small = bodyLimit({ maxSize: 4096, onError: (c) => c.text('request too large', 413) });
  app.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  app.get('/', async (c) => {
    const l = lang(c);
    const at = now();
    const auth = await readSession(c, db, sessions, at);
    if (!auth) return c.html(renderLoginPage(l));
    const raw = c.req.query('health');
    const filter = (healthFlags as readonly string[]).includes(raw ?? '') ? (raw as HealthFlag) : null;
    const scope = auth.key.facilityIds;
    const [records, models, facilities, rejects] = await Promise.all([
      listSensorHealth(db, at, { facilityIds: scope }),
      listSensorModels(db),
      listFacilities(db),
      scope === null ? listRejectGroups(db, { since: new Date(at.getTime() - 7 * 86_400_000), samplesPerCode: 1 }) : Promise.resolve(null),
    ]);
    const visible = facilities.filter((f) => scope === null || scope.includes(f.id));
    return c.html(
      renderDashboard(l, {
        key: auth.key,
        csrf: sessions.csrfToken(auth.session),
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
    const key = typeof form.key === 'string' ? form.key : '';
    const result = await signIn(c, { db, limiter, sessions, now: now(), secure: options.secureCookies ?? false }, key);
    if (result.ok) return c.redirect(`/ops?lang=${l}`, 303);
    if (result.code === 'RATE_LIMITED') {
      c.header('Retry-After', String(result.retryAfter ?? 60));
      return c.html(renderLoginPage(l, opsText(l, 'rateLimited', { s: result.retryAfter ?? 60 })), 429);
    }
    return c.html(
      renderLoginPage(l, opsText(l, result.code === 'NO_SCOPE' ? 'noScope' : 'invalid')),
      result.code === 'NO_SCOPE' ? 403 : 401,
    );
  });

  const withCsrf = async (c: Context) => {
    const auth = await readSession(c, db, sessions, now());
    const form = await c.req.parseBody();
    if (!auth || form.csrf !== sessions.csrfToken(auth.session)) return { auth: null, form };
    return { auth, form };
  };

  app.post('/logout', small, async (c) => {
    await withCsrf(c);
    deleteCookie(c, SESSION_COOKIE, { path: '/ops' });
    return c.redirect('/ops', 303);
  });

  app.post('/facilities/:id/closure', small, async (c) => {
    const l = lang(c);
    const id = c.req.param('id');
    const { auth, form } = await withCsrf(c);
    if (!auth) return c.html(renderLoginPage(l, opsText(l, 'invalid')), 401);
    const allowed = auth.key.scopes.includes('registry:write') && (auth.key.facilityIds === null || auth.key.facilityIds.includes(id));
    if (!allowed || !SLUG.test(id)) return c.text('forbidden', 403);
    const closed = form.closed === 'true';
    const at = now();
    await setSpotsClosed(db, id, closed, null, at);
    await insertAuditEntries(
      db,
      [
        {
          action: closed ? 'facility.close' : 'facility.reopen',
          keyId: auth.key.id,
          method: 'POST',
          path: c.req.path,
          status: 303,
          facilityId: id,
        },
      ],
      at,
    );
    return c.redirect(`/ops?lang=${l}`, 303);
  });
  return app;
}
