import { createApp, startApiServer } from '@freiplatz/api';
import { createSilentLogger } from '@freiplatz/config';
import { findFreePort } from '@freiplatz/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { findSeriousA11yViolations, launchBrowser, saveScreenshot } from '../support/browser.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };

// Chromium is there: the test run's global set-up installs it or stops (test/support/browser.ts).
describe('web pages in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let port: number;
  let server: { url: string; close(): Promise<void> } | null = null;
  const startServer = async () => {
    const app = createApp({ db: h.db, logger: createSilentLogger(), map: { tileUrl: '', attribution: '' }, signageStaleSeconds: 3 });
    server = await startApiServer({ app, port, host: '127.0.0.1', graceMs: 100 });
  };
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const newPage = async (viewport = DESKTOP, locale = 'de-DE', bypassCSP = false) => {
    const context = await browser.newContext({ viewport, locale, bypassCSP });
    return context.newPage();
  };
  const freeShown = (page: Page, id: string) => page.locator(`li[data-id="${id}"] .free-count`).innerText();

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(
      buildRegistry(
        { id: 'dom-garage', name: 'Parkhaus am Dom', spots: ['standard', 'standard', 'disabled', 'ev'] },
        { id: 'elbe-camp', name: 'Stellplatz Petriförder', kind: 'rv_site', spots: ['camper', 'camper', 'camper'] },
      ),
    );
    await h.startIngest();
    const now = Date.now();
    for (const [i, sensor] of [
      'dom-garage-1-s',
      'dom-garage-2-s',
      'dom-garage-3-s',
      'dom-garage-4-s',
      'elbe-camp-1-s',
      'elbe-camp-2-s',
    ].entries()) {
      await h.publish(`parking/v1/bays/${sensor}`, { occupied: i % 2 === 1, ts: now, seq: 1 });
    }
    await vi.waitFor(
      async () => {
        const row = await h.db.selectFrom('facility_state').select('free').where('facility_id', '=', 'dom-garage').executeTakeFirst();
        expect(row?.free).toBe(2);
      },
      { timeout: 10_000 },
    );
    port = await findFreePort();
    await startServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  it('lists the facilities with their free counts, in German and English', async () => {
    const page = await newPage();
    await page.goto(url('/'));
    await expect.poll(() => page.locator('li.facility').count()).toBe(2);
    expect(await freeShown(page, 'dom-garage')).toBe('2');
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    expect(await page.getByText('Plätze frei').count()).toBeGreaterThan(0);
    await saveScreenshot(page, 'public-de-desktop');
    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByText('Spaces free').count()).toBeGreaterThan(0);
    await saveScreenshot(page, 'public-en-desktop');
    const phone = await newPage(PHONE, 'en-GB');
    await phone.goto(url('/'));
    expect(await phone.locator('html').getAttribute('lang')).toBe('en');
    await saveScreenshot(phone, 'public-en-phone');
  });

  it('filters by camper and shows camper pitches only', async () => {
    const page = await newPage(PHONE);
    await page.goto(url('/'));
    await page.getByLabel('Wohnmobil').check();
    await expect.poll(() => page.locator('li.facility:visible').count()).toBe(1);
    expect(await page.locator('li.facility:visible .facility-name').innerText()).toBe('Stellplatz Petriförder');
    await saveScreenshot(page, 'public-de-phone-camper');
  });

  it('changes the number shown when an MQTT event arrives, without a reload', async () => {
    const page = await newPage();
    await page.goto(url('/'));
    await expect.poll(() => page.locator('#connection .text').innerText()).toBe('Live');
    expect(await freeShown(page, 'dom-garage')).toBe('2');
    await h.publish('parking/v1/bays/dom-garage-1-s', { occupied: true, ts: Date.now(), seq: 2 });
    await expect.poll(() => freeShown(page, 'dom-garage'), { timeout: 10_000 }).toBe('1');
  });

  it('shows a facility page with counts per type of space', async () => {
    const page = await newPage(PHONE);
    await page.goto(url('/facilities/elbe-camp'));
    expect(await page.locator('h1').innerText()).toBe('Stellplatz Petriförder');
    expect(await page.getByRole('row', { name: /Wohnmobil-Stellplätze/ }).count()).toBe(1);
    // Today's occupancy curve is drawn from the history API.
    await expect.poll(() => page.locator('#chart svg path.today').count(), { timeout: 10_000 }).toBe(1);
    await saveScreenshot(page, 'facility-de-phone');
    const desktop = await newPage(DESKTOP, 'en-US');
    await desktop.goto(url('/facilities/dom-garage'));
    await saveScreenshot(desktop, 'facility-en-desktop');
  });

  it('updates the signage display, shows "–" when the server is gone, and recovers', async () => {
    const page = await newPage({ width: 1280, height: 720 });
    await page.goto(url('/signage/dom-garage'));
    const count = () => page.locator('#count').innerText();
    const initial = await count();
    await h.publish('parking/v1/bays/dom-garage-2-s', { occupied: false, ts: Date.now(), seq: 3 });
    await expect.poll(count, { timeout: 10_000 }).toBe(String(Number(initial) + 1));
    await saveScreenshot(page, 'signage-de');

    await server?.close();
    server = null;
    await expect.poll(count, { timeout: 15_000 }).toBe('–');
    expect(await page.locator('#marker').isVisible()).toBe(true);
    await saveScreenshot(page, 'signage-de-stale');

    await startServer();
    await expect.poll(count, { timeout: 20_000 }).toBe(String(Number(initial) + 1));
    expect(await page.locator('#marker').isVisible()).toBe(false);
  });

  it('has no serious or critical accessibility violations (axe-core)', async () => {
    for (const path of ['/', '/facilities/elbe-camp', '/signage/dom-garage', '/?lang=en']) {
      // axe-core is injected as an inline script, which the pages' CSP rightly forbids.
      const page = await newPage(DESKTOP, 'de-DE', true);
      await page.goto(url(path));
      const violations = await findSeriousA11yViolations(page);
      expect(
        violations.map((v) => `${path}: ${v.id} (${v.impact}) ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      ).toEqual([]);
    }
  });
});
