import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, startApiServer } from '@freiplatz/api';
import { createSilentLogger } from '@freiplatz/config';
import { findFreePort, waitForPort } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorKey } from '../../services/api/src/cli/operator-keys.js';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { REPO_ROOT } from '../support/processes.js';

const NGINX = '/usr/sbin/nginx';

/**
 * infra/nginx/nginx.conf as deployed, with only what this machine needs substituted: the upstream
 * replicas become the test's API, TLS becomes plain HTTP on a free port, files go to a temp dir,
 * and optionally the admin network becomes 127.0.0.1. A substitution that no longer matches fails.
 */
function renderConfig(dir: string, port: number, apiPort: number, adminIsLocal: boolean): string {
  let conf = readFileSync(join(REPO_ROOT, 'infra/nginx/nginx.conf'), 'utf8');
  const swap = (from: RegExp, to: string) => {
    expect(conf, String(from)).toMatch(from);
    conf = conf.replace(from, to);
  };
  swap(/server api-1:3000[^;]*;\s+server api-2:3000[^;]*;/, `server 127.0.0.1:${apiPort};`);
  swap(/listen 8443 ssl http2;\s+ssl_certificate [^;]+;\s+ssl_certificate_key [^;]+;\s+ssl_protocols [^;]+;/, `listen 127.0.0.1:${port};`);
  swap(/_temp_path \/tmp\//g, `_temp_path ${dir}/`);
  swap(/pid \/tmp\/nginx.pid;/, `pid ${dir}/nginx.pid;`);
  swap(/access_log \/dev\/stdout;/, `access_log ${dir}/access.log;`);
  swap(/error_log stderr warn;/, `error_log ${dir}/error.log warn;`);
  conf = conf.replaceAll('/etc/nginx/proxy_params.conf', join(REPO_ROOT, 'infra/nginx/proxy_params.conf'));
  if (adminIsLocal) conf = conf.replaceAll('allow 10.0.0.0/8;', 'allow 127.0.0.1;');
  return conf;
}

describe('nginx in front of the API: operator paths', () => {
  let h: Harness;
  let api: { url: string; close(): Promise<void> };
  const proxies: Array<{ child: ChildProcess; dir: string; url: string }> = [];
  let token = '';

  const startNginx = async (adminIsLocal: boolean) => {
    const dir = mkdtempSync(join(tmpdir(), 'freiplatz-nginx-'));
    const port = await findFreePort();
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, renderConfig(dir, port, Number(new URL(api.url).port), adminIsLocal));
    execFileSync(NGINX, ['-t', '-e', `${dir}/error.log`, '-p', dir, '-c', file], { stdio: 'pipe' });
    const child = spawn(NGINX, ['-e', `${dir}/error.log`, '-p', dir, '-c', file, '-g', 'daemon off;'], { stdio: 'ignore' });
    await waitForPort(port);
    const proxy = { child, dir, url: `http://127.0.0.1:${port}` };
    proxies.push(proxy);
    return proxy.url;
  };

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'px', spots: 1 }));
    const created = await createOperatorKey(h.db, { name: 'proxy test', scopes: ['ops:read'], facilityIds: [] });
    if (!created.ok) throw new Error(created.message);
    token = created.token;
    const app = createApp({
      db: h.db,
      logger: createSilentLogger(),
      trustedProxies: ['127.0.0.0/8'],
      map: { tileUrl: '', attribution: '' },
    });
    api = await startApiServer({ app, port: 0, host: '127.0.0.1', graceMs: 100 });
  });
  afterAll(async () => {
    for (const p of proxies) {
      p.child.kill('SIGQUIT');
      if (p.child.exitCode === null) await new Promise((r) => p.child.once('exit', r));
      rmSync(p.dir, { recursive: true, force: true });
    }
    await api?.close();
    await h?.close();
  });

  it('keeps the dashboard away from anyone outside the admin network, as the operator API', async () => {
    const url = await startNginx(false);
    expect((await fetch(`${url}/`)).status).toBe(200);
    for (const path of ['/ops', '/ops?lang=en', '/ops/', '/v1/ops/summary']) expect((await fetch(`${url}${path}`)).status, path).toBe(403);
    const login = await fetch(`${url}/ops/login`, { method: 'POST', body: new URLSearchParams({ key: token }) });
    expect(login.status).toBe(403);
  });

  it('rate-limits the dashboard per address in the proxy (429 past the burst)', async () => {
    const url = await startNginx(true);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await fetch(`${url}/ops?lang=en`)).status);
    expect(statuses[0]).toBe(200);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });

  it('limits failed operator logins per forwarded client: one client’s bad keys lock out only that client', async () => {
    const url = await startNginx(true); // a fresh proxy: a fresh per-address request limit
    const as = (client: string, key: string) =>
      fetch(`${url}/v1/ops/summary`, { headers: { Authorization: `Bearer ${key}`, 'X-Forwarded-For': client } });
    for (let i = 0; i < 10; i++) expect((await as('198.51.100.1', `fpk_aaaaaaaaaaaa_${'A'.repeat(43)}`)).status).toBe(401);
    expect((await as('198.51.100.1', token)).status).toBe(429);
    expect((await as('198.51.100.2', token)).status).toBe(200);
  });
});
