import { createApp, startApiServer } from '@freiplatz/api';
import { createSilentLogger } from '@freiplatz/config';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOperatorKey } from '../../services/api/src/cli/operator-keys.js';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { launchBrowser, saveScreenshot } from '../support/browser.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };
const PORTRAIT_SIGN = { width: 540, height: 960 };
const LONG_NAME = 'Wohnmobilstellplatz Petriförder an der Elbuferpromenade';
const FULL_RED = 'rgb(176, 0, 32)'; // --full in app.css

/** What people see must be true: category views, the first screen on a phone, signs, fallbacks (issue 15). */
describe('pages tell the truth and fit the screen', () => {
  let h: Harness;
  let browser: Browser;
  const servers: Array<{ url: string; close(): Promise<void> }> = [];
  let plain = '';
  let withMap = '';
  let writerKey = '';

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(
      buildRegistry(
        { id: 'dom', name: 'Parkhaus am Dom', spots: ['standard', 'standard', 'standard', 'standard', 'disabled', 'disabled'] },
        { id: 'elbe', name: LONG_NAME, kind: 'rv_site', spots: ['camper', 'camper', 'camper'] },
        { id: 'silent', name: 'Stille Straße', kind: 'on_street', spots: 2 },
        { id: 'fleet', name: 'Großparkplatz Messe', spots: 120 },
      ),
    );
    await h.startIngest();
    const now = Date.now();
    // Two standard bays free, both disabled bays taken: the facility has room, its disabled bays do not.
    const readings: Array<[string, boolean]> = [
      ['dom-1-s', false],
      ['dom-2-s', false],
      ['dom-3-s', true],
      ['dom-4-s', true],
      ['dom-5-s', true],
      ['dom-6-s', true],
      ['elbe-1-s', false],
      ['elbe-2-s', true],
    ];
    for (const [sensor, occupied] of readings) await h.publish(`parking/v1/bays/${sensor}`, { occupied, ts: now, seq: 1 });
    await vi.waitFor(
      async () => {
        const row = await h.db.selectFrom('facility_state').select('occupied').where('facility_id', '=', 'dom').executeTakeFirst();
        expect(row?.occupied).toBe(4);
      },
      { timeout: 10_000 },
    );
    const writer = await createOperatorKey(h.db, { name: 'pages writer', scopes: ['ops:read', 'registry:write'], facilityIds: [] });
    if (!writer.ok) throw new Error(writer.message);
    writerKey = writer.token;
    const start = async (tileUrl: string) => {
      // With the database URL the API LISTENs for state changes and pushes them to the pages at once.
      const app = createApp({ db: h.db, databaseUrl: h.databaseUrl, logger: createSilentLogger(), map: { tileUrl, attribution: 'test' } });
      const server = await startApiServer({ app, port: 0, host: '127.0.0.1', graceMs: 100 });
      servers.push(server);
      return server.url;
    };
    plain = await start('');
    // Tiles from a port nobody listens on: the map cannot load, the fallback text shows.
    withMap = await start('http://127.0.0.1:9/{z}/{x}/{y}.png');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    await h?.close();
  });

  const open = async (url: string, viewport = DESKTOP, locale = 'de-DE'): Promise<Page> => {
    const page = await (await browser.newContext({ viewport, locale })).newPage();
    await page.goto(url);
    return page;
  };
  const item = (page: Page, id: string) => page.locator(`li[data-id="${id}"]`);
  /** A computed style of an element (evaluated in the page: this file is type-checked without DOM types). */
  const styleOf = (locator: Locator, property: string) =>
    locator.evaluate(
      (e, p) =>
        (globalThis as unknown as { getComputedStyle(e: unknown): { getPropertyValue(p: string): string } })
          .getComputedStyle(e)
          .getPropertyValue(p),
      property,
    );

  it.each([
    ['de', 'de-DE', 'Behindertenparkplatz', 'Voll', 'Fast voll', 'Behinderten\u00ad?parkplätze'],
    ['en', 'en-GB', 'Disabled parking', 'Full', 'Almost full', 'Disabled bays'],
  ])('shows a category its own numbers, status word and colour (%s)', async (lang, locale, filter, full, almostFull, rowName) => {
    const page = await open(`${plain}/?lang=${lang}`, PHONE, locale);
    await expect.poll(() => page.locator('#connection .text').innerText()).toBe('Live');
    const dom = item(page, 'dom');
    expect(await dom.locator('.status-text').innerText()).not.toBe(full); // the facility has free standard bays
    await page.getByLabel(filter).check();
    await expect.poll(() => dom.locator('.free-count').innerText()).toBe('0');
    expect(await dom.locator('.capacity').innerText()).toBe('2');
    expect(await dom.locator('.status-text').innerText()).toBe(full);
    expect(await styleOf(dom.locator('.free-count'), 'color')).toBe(FULL_RED);
    await saveScreenshot(page, `category-disabled-${lang}-phone`);
    // Live: a disabled bay frees up; the category's count and status follow, not the facility's.
    await h.publish('parking/v1/bays/dom-5-s', { occupied: false, ts: Date.now(), seq: lang === 'de' ? 2 : 4 });
    await expect.poll(() => dom.locator('.free-count').innerText(), { timeout: 10_000 }).toBe('1');
    expect(await dom.locator('.status-text').innerText()).toBe(almostFull);
    await h.publish('parking/v1/bays/dom-5-s', { occupied: true, ts: Date.now(), seq: lang === 'de' ? 3 : 5 });
    await expect.poll(() => dom.locator('.free-count').innerText(), { timeout: 10_000 }).toBe('0');

    // From the filtered list, the facility page leads with the same category's numbers.
    await dom.locator('.facility-name').click();
    await page.waitForURL(/\/facilities\/dom\?/);
    const headline = page.locator('#live-availability');
    expect(await page.locator('.category-headline').innerText()).toMatch(new RegExp(rowName));
    expect(await headline.locator('.free-count').innerText()).toBe('0');
    expect(await headline.locator('.capacity').innerText()).toBe('2');
    expect(await headline.locator('.status-text').innerText()).toBe(full);
    expect(await page.locator('#forecast-heading').innerText()).toMatch(lang === 'de' ? /\(alle Plätze\)$/ : /\(all spaces\)$/);
    const facility = page;
    const row = facility.getByRole('row', { name: new RegExp(rowName) });
    expect(await row.locator('.status-label').innerText()).toContain(full);
    expect(await facility.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await saveScreenshot(facility, `facility-categories-${lang}-phone`);
  });

  it.each([
    ['de', 'de-DE'],
    ['en', 'en-GB'],
  ])('shows free counts on the first screen of a phone (%s)', async (lang, locale) => {
    const page = await open(`${withMap}/?lang=${lang}`, PHONE, locale);
    const first = page.locator('li.facility .free-count').first();
    const box = await first.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(PHONE.height);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width); // no sideways page
    await page.screenshot({ path: `test/artifacts/first-screen-${lang}-phone.png` }); // the first screen only
  });

  it.each([
    ['de', 'de-DE', 'Die Liste oben ist vollständig.', 'Die Liste rechts ist vollständig.'],
    ['en', 'en-GB', 'The list above is complete.', 'The list on the right is complete.'],
  ])('says where the list is when the map cannot load (%s)', async (lang, locale, above, beside) => {
    const phone = await open(`${withMap}/?lang=${lang}`, PHONE, locale);
    await expect.poll(() => phone.locator('#map-fallback').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await phone.getByText(above).isVisible()).toBe(true);
    expect(await phone.getByText(beside).isVisible()).toBe(false);
    const listBox = await phone.locator('#facility-list').boundingBox();
    const mapBox = await phone.locator('#map').boundingBox();
    expect(listBox?.y ?? 0).toBeLessThan(mapBox?.y ?? 0); // the list is indeed above
    const desktop = await open(`${withMap}/?lang=${lang}`, DESKTOP, locale);
    await expect.poll(() => desktop.locator('#map-fallback').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await desktop.getByText(beside).isVisible()).toBe(true);
    expect(await desktop.getByText(above).isVisible()).toBe(false);
    const dList = await desktop.locator('#facility-list').boundingBox();
    const dMap = await desktop.locator('#map').boundingBox();
    expect(dList?.x ?? 0).toBeGreaterThan((dMap?.x ?? 0) + (dMap?.width ?? 0) - 1); // the list is indeed to the right
    await saveScreenshot(desktop, `map-fallback-${lang}-desktop`);
  });

  it('fits a long name and the number on a portrait sign', async () => {
    const page = await open(`${plain}/signage/elbe`, PORTRAIT_SIGN);
    const name = page.locator('.sign-name');
    expect(await name.innerText()).toBe(LONG_NAME);
    expect(await name.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    const nameBox = await name.boundingBox();
    expect(nameBox?.x ?? -1).toBeGreaterThanOrEqual(0);
    expect((nameBox?.x ?? 0) + (nameBox?.width ?? 0)).toBeLessThanOrEqual(PORTRAIT_SIGN.width);
    // The digits keep a margin from both edges (measured on a three-digit number).
    await page.locator('#count').evaluate((e) => {
      e.textContent = '188';
    });
    const count = await page.locator('.sign-count').boundingBox();
    const digits = await page.locator('#count').boundingBox();
    expect(digits?.x ?? 0).toBeGreaterThan(PORTRAIT_SIGN.width * 0.02);
    expect((digits?.x ?? 0) + (digits?.width ?? 0)).toBeLessThan(PORTRAIT_SIGN.width * 0.98);
    expect((count?.x ?? 0) + (count?.width ?? 0)).toBeLessThanOrEqual(PORTRAIT_SIGN.width);
    await page.reload();
    await saveScreenshot(page, 'signage-portrait-long-name');
  });

  it.each([
    ['de', 'de-DE', 'keine Daten', 'frei'],
    ['en', 'en-GB', 'no data', 'free'],
  ])('shows a plain "–" and says there is no data when nothing is known (%s)', async (lang, locale, noData, free) => {
    const page = await open(`${plain}/signage/silent?lang=${lang}`, { width: 1280, height: 720 }, locale);
    expect(await page.locator('#count').innerText()).toBe('–');
    await expect.poll(() => page.locator('#label').innerText()).toBe(noData);
    expect(await page.locator('#label').innerText()).not.toBe(free);
    // Plain: the dash is smaller than the digits and drawn in the text colour, not a big grey bar.
    const size = Number.parseFloat(await styleOf(page.locator('.sign-count'), 'font-size'));
    expect(size).toBeLessThanOrEqual(720 * 0.2 + 1);
    expect(await styleOf(page.locator('.sign-count'), 'color')).toBe('rgb(255, 255, 255)');
    await saveScreenshot(page, `signage-no-data-${lang}`);
    const known = await open(`${plain}/signage/dom?lang=${lang}`, { width: 1280, height: 720 }, locale);
    await expect.poll(() => known.locator('#label').innerText()).toBe(free);
  });

  it('falls back to English for a browser that asks for neither German nor English', async () => {
    const page = await open(`${plain}/`, DESKTOP, 'fr-FR');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    const res = await fetch(`${plain}/`, { headers: { 'Accept-Language': 'fr-CH, fr;q=0.9, it;q=0.5' } });
    expect(await res.text()).toContain('<html lang="en"');
    const none = await fetch(`${plain}/`);
    expect(await none.text()).toContain('<html lang="de"');
  });

  it.each([
    ['de', 'Weiter', 'Seite 1 von 3', 'Nächste →'],
    ['en', 'Continue', 'Page 1 of 3', 'Next →'],
  ])('pages the fleet table and asks before closing a facility (%s)', async (lang, _unused, pageOf, next) => {
    const page = await open(`${plain}/ops?lang=${lang}`, DESKTOP, lang === 'de' ? 'de-DE' : 'en-GB');
    await page.locator('input[name="key"]').fill(writerKey);
    await page.locator('form[action^="/ops/login"] button[type="submit"]').click();
    await expect.poll(() => page.locator('table.fleet tbody tr').count()).toBe(50);
    expect(await page.getByText(pageOf).isVisible()).toBe(true);
    const height = await page.evaluate('document.documentElement.scrollHeight');
    expect(height).toBeLessThan(5000);
    await page.getByRole('link', { name: next }).click();
    await expect.poll(() => page.getByText(pageOf.replace('1', '2')).isVisible()).toBe(true);
    expect(await page.locator('table.fleet tbody tr').count()).toBe(50);
    await saveScreenshot(page, `ops-fleet-page-2-${lang}`);
    // The closure list only offers to close: the facility stays open until the second step.
    const summary = page.locator('details.confirm summary').first();
    await summary.click();
    expect(await page.locator('details.confirm[open] p').first().isVisible()).toBe(true);
    const closed = await h.db.selectFrom('facility_state').select('status').where('status', '=', 'closed').execute();
    expect(closed).toEqual([]);
  });
});
