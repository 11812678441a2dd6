import { type Db, findFacility, listFacilities, listSpots } from '@freiplatz/db';
import { amenitySchema, SLUG_PATTERN, spotCategories } from '@freiplatz/domain';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { createAssetRoutes, loadAssets } from './assets.js';
import { type Language, pickLanguage, translate } from './i18n.js';
import { renderPage } from './layout.js';
import { createOpsWebRoutes, type OpsWebOptions } from './ops/ops.routes.js';
import { renderFacilityPage } from './pages/facility-page.js';
import { type MapOptions, renderPublicPage } from './pages/public-page.js';
import { renderSignagePage } from './pages/signage-page.js';

export interface WebOptions {
  db: Db;
  map: MapOptions;
  /** After this long without an answer from the server a sign shows "–" and a marker. */
  signageStaleSeconds?: number;
  now?: () => Date;
  /** The dashboard's key authentication (shared with the bearer API), client address and session settings. */
  ops: Pick<OpsWebOptions, 'sessionSecret' | 'secureCookies' | 'authenticateKey' | 'clientKey'>;
  /** The public API's per-client rate limit; every page (public, signage, `/ops`) spends its tokens. */
  limit?: MiddlewareHandler;
}

function languageOf(c: Context): Language {
  const query = c.req.query('lang');
  const lang = pickLanguage(query, getCookie(c, 'lang'), c.req.header('Accept-Language'));
  if (query === lang) setCookie(c, 'lang', lang, { path: '/', maxAge: 31_536_000, sameSite: 'Lax', httpOnly: true });
  c.header('Vary', 'Accept-Language, Cookie');
  c.header('Content-Language', lang);
  return lang;
}

function contentSecurityPolicy(tileUrl: string): string {
  let tiles = '';
  try {
    if (tileUrl) tiles = ` ${new URL(tileUrl.replace(/\{[a-z]\}/g, 'a')).origin}`;
  } catch {
    tiles = '';
  }
  return `default-src 'self'; img-src 'self' data:${tiles}; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'`;
}

/** The people-facing pages: public map and list, facility page, signage display. */
export function createWebRoutes({ db, map, signageStaleSeconds = 25, now = () => new Date(), ops, limit }: WebOptions): Hono {
  const app = new Hono();
  const csp = contentSecurityPolicy(map.tileUrl);
  // Static assets (from memory, long-cached) come before the limit: a wall of signs starting at once
  // loads them together, and they cost nothing to answer.
  app.route('/assets', createAssetRoutes(loadAssets()));
  if (limit) app.use('*', limit);
  app.use('*', async (c, next) => {
    await next();
    if (c.res.headers.get('Content-Type')?.startsWith('text/html')) {
      c.res.headers.set('Content-Security-Policy', csp);
      if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-cache');
    }
  });
  app.route('/ops', createOpsWebRoutes({ db, now, map, ...ops }));

  const notFound = (c: Context, lang: Language) =>
    c.html(
      renderPage({
        lang,
        title: 'Freiplatz',
        path: '/',
        body: html`<h1>${translate(lang, 'notFound')}</h1><p><a href="/?lang=${lang}">${translate(lang, 'back')}</a></p>`,
      }),
      404,
    );

  app.get('/', async (c) => {
    const lang = languageOf(c);
    return c.html(renderPublicPage(lang, await listFacilities(db), map));
  });

  app.get('/facilities/:id', async (c) => {
    const lang = languageOf(c);
    const id = c.req.param('id');
    const facility = SLUG_PATTERN.test(id) ? await findFacility(db, id) : undefined;
    if (!facility) return notFound(c, lang);
    const spots = await listSpots(db, id);
    const known = new Set<string>(amenitySchema.options);
    const amenities = [...new Set([...spots.flatMap((s) => s.amenities), ...facility.tags.filter((tag) => known.has(tag))])].sort();
    const category = spotCategories.find((k) => k === c.req.query('category') && facility.state.byCategory[k] !== undefined) ?? null;
    return c.html(renderFacilityPage(lang, facility, amenities, category));
  });

  app.get('/signage/:id', async (c) => {
    const lang = languageOf(c);
    const id = c.req.param('id');
    const facility = SLUG_PATTERN.test(id) ? await findFacility(db, id) : undefined;
    if (!facility) return notFound(c, lang);
    return c.html(renderSignagePage(lang, facility, signageStaleSeconds));
  });
  return app;
}
