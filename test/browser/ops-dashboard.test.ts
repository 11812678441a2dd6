import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, startApiServer } from '@freiplatz/api';
import { createSilentLogger } from '@freiplatz/config';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorKey, revokeOperatorKey } from '../../services/api/src/cli/operator-keys.js';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { findSeriousA11yViolations, launchBrowser, saveScreenshot } from '../support/browser.js';

// Chromium is there: the test run's global set-up installs it or stops (test/support/browser.ts).
describe("operators' dashboard in a real browser", () => {
  let h: Harness;
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  const keys = { reader: '', writer: '', readerId: '' };

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'ops-garage', name: 'Parkhaus Ops', spots: 3 }));
    const ago = (s: number) => new Date(Date.now() - s * 1000);
    await h.db
      .insertInto('sensor_state')
      .values([
        {
          sensor_id: 'ops-garage-1-s',
          ts: ago(30),
          seq: 1,
          occupied: false,
          battery: 3.6,
          first_seen_at: ago(30),
          last_seen_at: ago(30),
          event_count: 1,
        },
        {
          sensor_id: 'ops-garage-2-s',
          ts: ago(7200),
          seq: 1,
          occupied: true,
          battery: 2.9,
          first_seen_at: ago(7200),
          last_seen_at: ago(7200),
          event_count: 1,
        },
      ] as never)
      .execute();
    for (const [name, scopes] of [
      ['reader', ['ops:read']],
      ['writer', ['ops:read', 'registry:write']],
    ] as const) {
      const created = await createOperatorKey(h.db, { name: `dashboard ${name}`, scopes: [...scopes], facilityIds: [] });
      if (!created.ok) throw new Error(created.message);
      keys[name] = created.token;
      if (name === 'reader') keys.readerId = created.id;
    }
    const app = createApp({ db: h.db, logger: createSilentLogger(), map: { tileUrl: '', attribution: '' } });
    server = await startApiServer({ app, port: 0, host: '127.0.0.1', graceMs: 100 });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  const signIn = async (page: Page, key: string) => {
    await page.goto(`${server.url}/ops?lang=en`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('refuses a bad key and keeps it out of the URL', async () => {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await signIn(page, 'fpk_aaaaaaaaaaaa_notarealsecretnotarealsecretnotarealsecret12');
    expect(await page.getByRole('alert').innerText()).toContain('invalid or revoked');
    expect(page.url()).not.toContain('fpk_');
    await saveScreenshot(page, 'ops-login-en-phone');
  });

  it('signs in with a key, shows the offline sensor, and keeps the session in an HttpOnly cookie', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, keys.reader);
    await expect.poll(() => page.locator('h1').innerText()).toBe('Operations – sensor health');
    expect(page.url()).not.toContain('fpk_');
    const row = page.locator('tr[data-sensor="ops-garage-2-s"]');
    expect(await row.innerText()).toContain('offline');
    expect(await page.getByText('Read only').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Close' }).count()).toBe(0);
    await page
      .getByRole('link', { name: /offline/ })
      .first()
      .click();
    await expect.poll(() => page.locator('tbody tr[data-sensor]').count()).toBe(2);
    const cookie = (await context.cookies()).find((c) => c.name === 'fp_ops');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.value).not.toContain(keys.reader.split('_')[2] ?? '-');
    await saveScreenshot(page, 'ops-dashboard-en-desktop');

    await revokeOperatorKey(h.db, keys.readerId);
    await page.reload();
    expect(await page.getByLabel('API key').count()).toBe(1);
  });

  it('lets a registry:write key close and reopen a facility', async () => {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'de-DE' })).newPage();
    await signIn(page, keys.writer);
    // Closing asks first: nothing is closed until the second, explicit button.
    await page.getByText('Close …').click();
    expect(await page.getByText('Really close Parkhaus Ops?').isVisible()).toBe(true);
    const before = await h.db
      .selectFrom('facility_state')
      .select('status')
      .where('facility_id', '=', 'ops-garage')
      .executeTakeFirstOrThrow();
    expect(before.status).not.toBe('closed');
    await page.getByRole('button', { name: 'Yes, close Parkhaus Ops' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Reopen' }).count()).toBe(1);
    const state = await h.db
      .selectFrom('facility_state')
      .select('status')
      .where('facility_id', '=', 'ops-garage')
      .executeTakeFirstOrThrow();
    expect(state.status).toBe('closed');
    await saveScreenshot(page, 'ops-dashboard-en-phone');
    await page.getByRole('button', { name: 'Reopen' }).click();
    await expect.poll(() => page.getByText('Close …').count()).toBe(1);
    const audit = await h.db.selectFrom('audit_log').select('action').where('action', 'like', 'facility.%').execute();
    expect(audit.map((a) => a.action)).toEqual(['facility.close', 'facility.reopen']);
  });

  it('does not sign anyone in from a page on another site, even with a valid key and login token', async () => {
    // The attacker's own sign-in page gives a token bound to the attacker's cookie, never the victim's.
    const own = await (await fetch(`${server.url}/ops?lang=en`)).text();
    const login = /name="login" value="([^"]+)"/.exec(own)?.[1] ?? '';
    const attack = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(
        `<form method="post" action="${server.url}/ops/login"><input name="key" value="${keys.writer}"><input name="login" value="${login}"></form><script>document.forms[0].submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => attack.listen(0, '127.0.0.1', resolve));
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const port = (attack.address() as AddressInfo).port;
      // localhost and 127.0.0.1 are different sites.
      const posted = page.waitForResponse((r) => r.url().startsWith(`${server.url}/ops/login`));
      await page.goto(`http://localhost:${port}/`);
      expect((await posted).status()).toBe(403);
      expect((await context.cookies()).find((c) => c.name === 'fp_ops')).toBeUndefined();
      await page.goto(`${server.url}/ops?lang=en`);
      expect(await page.getByLabel('API key').count()).toBe(1);
    } finally {
      await new Promise((resolve) => attack.close(resolve));
    }
  });

  it('ends the session on sign-out: the old cookie opens nothing afterwards', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, keys.writer);
    await expect.poll(() => page.locator('table.fleet').count()).toBe(1);
    const cookie = (await context.cookies()).find((c) => c.name === 'fp_ops');
    expect(cookie).toBeDefined();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByLabel('API key').count()).toBe(1);
    const replay = await browser.newContext();
    await replay.addCookies([cookie as NonNullable<typeof cookie>]);
    const again = await replay.newPage();
    await again.goto(`${server.url}/ops?lang=en`);
    expect(await again.getByLabel('API key').count()).toBe(1);
  });

  it('has no serious or critical accessibility violations (axe-core)', async () => {
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    await page.goto(`${server.url}/ops`);
    expect(await findSeriousA11yViolations(page)).toEqual([]);
    await signIn(page, keys.writer);
    await expect.poll(() => page.locator('table.fleet').count()).toBe(1);
    const violations = await findSeriousA11yViolations(page);
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  });
});
