import { createApp, startApiServer } from '@freiplatz/api';
import { createSilentLogger } from '@freiplatz/config';
import { insertRejects, toReject } from '@freiplatz/db';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorKey } from '../../services/api/src/cli/operator-keys.js';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { launchBrowser } from '../support/browser.js';

// Registry and payload text that would become elements if any page inserted it as HTML. Spot and
// sensor ids are slugs (packages/domain/src/registry.schema.ts), so they cannot carry markup; the
// free-text fields (name, address, opening hours, tags) and dead-letter topics and reasons can.
const BOLD = '<b id=pwn>x</b>';
const REFRESH = '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/">';
const HOSTILE = `${BOLD}${REFRESH}`;

// Chromium is there: the test run's global set-up installs it or stops (test/support/browser.ts).
describe('registry and payload text stays text in every page', () => {
  let h: Harness;
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  let token = '';

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(
      buildRegistry(
        { id: 'evil-garage', name: `Garage ${HOSTILE}`, address: HOSTILE, openingHours: '24/7', tags: [BOLD], spots: 2 },
        { id: 'evil-camp', name: `${REFRESH} Camp`, kind: 'rv_site', location: { lat: 52.14, lon: 11.64 }, spots: ['camper'] },
      ),
    );
    const long = new Date(Date.now() - 7200_000);
    await h.db
      .insertInto('sensor_state')
      .values(
        ['evil-garage-1-s', 'evil-camp-1-s'].map((sensor_id) => ({
          sensor_id,
          ts: long,
          seq: 1,
          occupied: true,
          battery: 2.9,
          first_seen_at: long,
          last_seen_at: long,
          event_count: 1,
        })) as never,
      )
      .execute();
    await insertRejects(h.db, [
      toReject({
        topic: `parking/v1/bays/${HOSTILE}`,
        payload: Buffer.from(HOSTILE),
        code: 'NOT_JSON',
        reason: HOSTILE,
        receivedAt: new Date(),
      }),
    ]);
    const created = await createOperatorKey(h.db, { name: 'hostile names', scopes: ['ops:read'], facilityIds: [] });
    if (!created.ok) throw new Error(created.message);
    token = created.token;
    // A tile URL makes the pages draw their maps and markers; the port refuses, so no tile loads.
    const map = { tileUrl: 'http://127.0.0.1:9/{z}/{x}/{y}.png', attribution: HOSTILE };
    const app = createApp({ db: h.db, logger: createSilentLogger(), map });
    server = await startApiServer({ app, port: 0, host: '127.0.0.1', graceMs: 100 });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  /** Opens a page and counts the main frame's navigations after it has loaded. */
  const open = async (path: string, before?: (page: Page) => Promise<void>) => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' })).newPage();
    if (before) await before(page);
    await page.goto(`${server.url}${path}`);
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    return { page, navigations };
  };

  /** Hovers every map marker and waits for its tooltip, then checks that nothing became markup. */
  const hoverEveryMarker = async (page: Page, expected: number) => {
    const markers = page.locator('path.leaflet-interactive');
    await expect.poll(() => markers.count(), { timeout: 10_000 }).toBe(expected);
    for (let i = 0; i < expected; i++) {
      await markers.nth(i).hover({ force: true });
      await expect.poll(() => page.locator('.leaflet-tooltip').count()).toBeGreaterThan(0);
      expect(await page.locator('.leaflet-tooltip').last().innerText()).toContain('127.0.0.1:9');
    }
  };

  const expectInert = async (page: Page, navigations: string[], start: string) => {
    // A meta refresh of 0 s fires at once; give it a moment to have fired had it been inserted.
    await page.waitForTimeout(300);
    expect(await page.locator('#pwn').count()).toBe(0);
    expect(await page.locator('meta[http-equiv]').count()).toBe(0);
    expect(navigations).toEqual([]);
    expect(page.url()).toBe(start);
  };

  it('keeps names text on the public map, in its tooltips and after live updates', async () => {
    const { page, navigations } = await open('/?lang=en');
    await hoverEveryMarker(page, 2);
    expect(await page.locator('li[data-id="evil-garage"] .facility-name').innerText()).toContain(BOLD);
    await expectInert(page, navigations, `${server.url}/?lang=en`);
  });

  it('keeps the facility and signage pages free of planted markup', async () => {
    for (const path of ['/facilities/evil-garage?lang=en', '/signage/evil-garage?lang=en']) {
      const { page, navigations } = await open(path);
      expect(await page.locator('body').innerText()).toContain(BOLD);
      await expect.poll(() => page.locator('#chart svg, #count').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await expectInert(page, navigations, `${server.url}${path}`);
    }
  });

  it('keeps names and dead letters text on the signed-in dashboard and its map', async () => {
    const { page } = await open('/ops?lang=en');
    await page.getByLabel('API key').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Operations – sensor health');
    const start = page.url();
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    expect(await page.locator('body').innerText()).toContain(BOLD);
    await hoverEveryMarker(page, 2);
    await expectInert(page, navigations, start);
  });
});
