import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from './processes.js';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Path of a Chromium to drive, or null when none is installed. */
export function findChromium(): string | null {
  return CANDIDATES.find((p): p is string => Boolean(p) && existsSync(p as string)) ?? null;
}

const INSTALL_HINT = 'install it (Debian: apt-get install chromium fonts-dejavu-core) or set CHROMIUM_PATH';

/**
 * Makes sure the browser tests have a Chromium, as part of the test command's own set-up: when none
 * is found and this is a Debian machine run as root, it is installed from Debian (npm has no
 * browser build this machine can fetch). Otherwise the run stops here with what to do.
 */
export function ensureChromium(): string {
  const found = findChromium();
  if (found) return found;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) throw new Error(`the browser tests need Chromium, which is not installed: ${INSTALL_HINT}`);
  console.log('[test] Chromium is missing: installing it from Debian for the browser tests (once) …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium', 'fonts-dejavu-core'],
  ]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0)
      throw new Error(`installing Chromium failed (apt-get ${args[0]}: ${(r.stderr ?? '').trim().slice(-500)}); ${INSTALL_HINT}`);
  }
  const installed = findChromium();
  if (!installed) throw new Error(`Chromium is still not found after apt-get install; ${INSTALL_HINT}`);
  return installed;
}

/** Launches headless Chromium as the machine allows (root, no network). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(`Chromium is not installed: ${INSTALL_HINT}`);
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const ARTIFACTS_DIR = join(REPO_ROOT, 'test', 'artifacts');

/** Saves a full-page screenshot under test/artifacts/. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core in the page (WCAG 2 A/AA rules) and returns the serious and critical violations. */
export async function findSeriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  // Evaluated in the page (as a string: this file is type-checked without DOM types).
  const violations = await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)`,
  );
  return (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
