import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiEnvSchema } from '@freiplatz/config';
import { createIngestMetrics } from '@freiplatz/ingest';
import { findFreePort, TEST_ROLE_PASSWORDS } from '@freiplatz/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { checkComposeFile, checkDockerfileCopies, readComposeFile, readPrometheusTargets } from '../../infra/scripts/check-deploy.js';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { buildServiceBundle, REPO_ROOT } from '../support/processes.js';

// No Docker engine here: what can be checked without one is checked (see infra/README.md).
const compose = readComposeFile();
const env = (service: string) => (compose.services[service] as { environment?: Record<string, string> }).environment ?? {};

describe('compose file', () => {
  it('validates against the compose schema and has no dangling reference', () => {
    expect(checkComposeFile()).toEqual([]);
  });

  it('is refused by the check when a key is misspelt or a reference dangles', () => {
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services['api-1'] = { ...broken.services['api-1'], read_onyl: true };
    expect(checkComposeFile(broken).join('\n')).toContain('additional properties');
    const dangling = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    dangling.services['api-2'] = { ...dangling.services['api-2'], networks: ['nowhere'] };
    expect(checkComposeFile(dangling)).toEqual(['api-2: unknown network nowhere']);
  });

  it('runs two ingest workers in one shared-subscription group and two API replicas behind the proxy, all hardened', () => {
    expect(env('ingest-1').MQTT_SHARE_GROUP).toBe('ingest');
    expect(env('ingest-2').MQTT_SHARE_GROUP).toBe('ingest');
    expect(env('ingest-1').MQTT_URL).toMatch(/^mqtts:\/\//);
    for (const name of ['ingest-1', 'ingest-2', 'api-1', 'api-2', 'proxy', 'mosquitto', 'prometheus']) {
      expect(compose.services[name], name).toMatchObject({ read_only: true });
    }
    for (const name of ['ingest-1', 'ingest-2', 'api-1', 'api-2', 'mosquitto']) {
      expect(compose.services[name], name).toMatchObject({ cap_drop: ['ALL'] });
    }
    expect(compose.services.mosquitto?.volumes).toContain('./mosquitto/mosquitto.conf:/mosquitto/config/mosquitto.conf:ro');
    expect(readFileSync(join(REPO_ROOT, 'infra/nginx/nginx.conf'), 'utf8')).toMatch(/server api-1:3000[^;]*;\s+server api-2:3000/);
  });

  it('has the schema owner migrate and provision the roles before the services, which connect as their own roles', () => {
    const service = (name: string) =>
      compose.services[name] as { command?: string[]; env_file?: string[]; depends_on?: Record<string, { condition: string }> };
    expect(service('db-migrate').command).toEqual(['node', '/app/services/api/src/db-migrate.mjs']);
    expect(service('db-roles').command).toEqual(['node', '/app/services/api/src/db-roles.mjs']);
    expect(service('db-roles').depends_on?.['db-migrate']).toEqual({ condition: 'service_completed_successfully' });
    for (const name of ['ingest-1', 'ingest-2', 'api-1', 'api-2']) {
      expect(service(name).depends_on?.['db-roles'], name).toEqual({ condition: 'service_completed_successfully' });
      expect(service(name).env_file, name).not.toContain('./secrets/db-owner.env');
      expect(service(name).command, name).toBeUndefined();
    }
  });

  it('gives the API replicas the proxy to trust, Secure cookies and a required shared session secret', () => {
    const frontend = (compose.networks?.frontend as { ipam?: { config?: Array<{ subnet?: string }> } } | undefined)?.ipam?.config?.[0]
      ?.subnet;
    for (const name of ['api-1', 'api-2']) {
      expect(env(name)).toMatchObject({ API_TRUSTED_PROXIES: frontend, OPS_SECURE_COOKIES: 'true' });
      expect(env(name).OPS_SESSION_SECRET).toMatch(/^\$\{OPS_SESSION_SECRET:\?[^}]+\}$/);
    }
    expect(apiEnvSchema.parse({ API_TRUSTED_PROXIES: frontend }).API_TRUSTED_PROXIES).toEqual([frontend]);
  });

  it('runs each ingest worker on its own slot, with every slot in both workers’ list', () => {
    for (const name of ['ingest-1', 'ingest-2']) {
      expect(env(name).INGEST_SLOTS?.split(','), name).toEqual(['ingest-1@svc', 'ingest-2@svc']);
      expect(env(name).MQTT_CLIENT_ID).toBe(`${name}@svc`);
    }
  });

  it('starts Mosquitto as the image’s mosquitto user, so that dropping every capability is not fatal', () => {
    expect(compose.services.mosquitto).toMatchObject({ user: '1883:1883', cap_drop: ['ALL'] });
  });

  it('has Prometheus scrape both ingest workers and both API replicas', () => {
    const hosts = readPrometheusTargets().map((t) => t.split(':')[0]);
    expect(hosts).toEqual(expect.arrayContaining(['ingest-1', 'ingest-2', 'api-1', 'api-2']));
    for (const host of hosts) if (host !== 'localhost') expect(compose.services[host!], host).toBeDefined();
  });
});

describe('broker queue alerts', () => {
  const conf = readFileSync(join(REPO_ROOT, 'infra/mosquitto/mosquitto.conf'), 'utf8');
  const limit = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(conf)?.[1]);
  const rules = (
    parse(readFileSync(join(REPO_ROOT, 'infra/prometheus/alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    }
  ).groups.flatMap((g) => g.rules);
  const threshold = (alert: string) => Number(/> (\d+)$/.exec(rules.find((r) => r.alert === alert)?.expr ?? '')?.[1]);

  it('bounds the broker’s per-session queue in messages and bytes', () => {
    expect(limit('max_queued_messages')).toBeGreaterThan(0);
    expect(limit('max_queued_bytes')).toBeGreaterThan(0);
  });

  it('warns at half of each limit, on metrics the ingest worker exports, and is loaded by Prometheus', async () => {
    expect(threshold('FreiplatzBrokerQueueMessagesHigh')).toBe(limit('max_queued_messages') / 2);
    expect(threshold('FreiplatzBrokerQueueBytesHigh')).toBe(limit('max_queued_bytes') / 2);
    const exported = (
      await createIngestMetrics({ unacked: () => 0, unackedBytes: () => 0, oldestUnackedAgeMs: () => 0 }).registry.getMetricsAsJSON()
    ).map((m) => m.name);
    for (const rule of rules) {
      const metrics = rule.expr.match(/freiplatz_[a-z_]+/g) ?? [];
      for (const m of metrics) expect(exported, `${rule.alert}: ${m}`).toContain(m);
    }
    expect(readFileSync(join(REPO_ROOT, 'infra/prometheus/prometheus.yml'), 'utf8')).toMatch(/rule_files:\s+- alerts\.yml/);
    expect(compose.services.prometheus?.volumes).toContain('./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro');
  });
});

describe('nginx', () => {
  const conf = readFileSync(join(REPO_ROOT, 'infra/nginx/nginx.conf'), 'utf8');
  it('uses the http2 form Debian’s nginx 1.22 takes, and limits each client for the whole stack', () => {
    expect(conf).not.toMatch(/^\s*http2 on;/m);
    expect(conf).toMatch(/listen 8443 ssl http2;/);
    expect(conf).toMatch(/limit_req_zone \$binary_remote_addr zone=public_api:10m rate=50r\/s;/);
    expect(conf).toMatch(/limit_req zone=public_api burst=200 nodelay;/);
  });
});

describe('container image', () => {
  it('copies only files that exist in the build context', () => {
    const { copies, missing } = checkDockerfileCopies();
    expect(copies.length).toBeGreaterThan(3);
    expect(missing).toEqual([]);
  });

  it('builds on a current Node LTS (22 or 24), pinned by digest, as are the third-party images of the stack', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'infra/docker/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:(22|24)\.\d+\.\d+-bookworm-slim@sha256:[0-9a-f]{64}$/m);
    const unpinned = Object.entries(compose.services)
      .map(([name, service]) => [name, (service as { image?: string }).image ?? ''] as const)
      .filter(([, image]) => image !== '' && !image.endsWith(':local') && !/@sha256:[0-9a-f]{64}$/.test(image));
    // TimescaleDB: no published digest of its tag could be verified (infra/compose.yaml says how to pin it).
    expect(unpinned).toEqual([['timescaledb', 'timescale/timescaledb:2.17.2-pg17']]);
  });

  it('runs as a non-root user with a health check and no package manager in the runtime stage', () => {
    const runtime = readFileSync(join(REPO_ROOT, 'infra/docker/Dockerfile'), 'utf8').split(/^FROM .* AS runtime$/m)[1] ?? '';
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).not.toMatch(/pnpm|npm install|npx/);
  });
});

describe('the images’ commands start the services here', () => {
  let harness: Harness;
  const out = mkdtempSync(join(tmpdir(), 'freiplatz-image-'));
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    harness = await createHarness();
    await harness.importRegistry(buildRegistry({ id: 'img', spots: 1 }));
    for (const service of ['ingest', 'api'] as const) {
      buildServiceBundle(service, join(out, service));
    }
  }, 120_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await harness?.close();
    rmSync(out, { recursive: true, force: true });
  });

  // As the image runs it: `node /app/main.mjs`, no TypeScript loader, no node_modules beyond Leaflet's static files.
  const start = (service: string, extra: Record<string, string>) => {
    const child = spawn(process.execPath, [join(out, service, 'services', service, 'src', 'main.mjs')], {
      cwd: join(out, service),
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_FORMAT: 'json', DATABASE_URL: harness.databaseUrl, ...extra },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  };
  const healthy = (service: string, url: string) => {
    try {
      execFileSync(process.execPath, [join(out, service, 'healthcheck.mjs')], { env: { HEALTHCHECK_URL: url }, stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };

  it('bundles each service without dev dependencies', () => {
    expect(readdirSync(join(out, 'api', 'node_modules'))).toEqual(['leaflet']);
    expect(existsSync(join(out, 'ingest', 'node_modules'))).toBe(false);
  });

  it('starts the ingest bundle, which reports healthy and stores events through its commit thread', async () => {
    const port = await findFreePort();
    start('ingest', {
      MQTT_URL: harness.mqttUrl,
      MQTT_PROTOCOL_VERSION: String(harness.mqttProtocolVersion),
      INGEST_METRICS_PORT: String(port),
    });
    await expect.poll(() => healthy('ingest', `http://127.0.0.1:${port}/metrics`), { timeout: 30_000, interval: 250 }).toBe(true);
    // The commit thread is a module of its own in the bundle (commit-thread.mjs beside main.mjs).
    expect(existsSync(join(out, 'ingest', 'services', 'ingest', 'src', 'commit-thread.mjs'))).toBe(true);
    await harness.publish('parking/v1/bays/img-1-s', { occupied: true, seq: 1, ts: Date.now() - 1000 });
    await expect
      .poll(
        async () =>
          (await harness.db.selectFrom('facility_state').select('occupied').where('facility_id', '=', 'img').executeTakeFirst())?.occupied,
        { timeout: 15_000 },
      )
      .toBe(1);
  });

  it("runs the API image's db-migrate and db-roles commands on a fresh database", async () => {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    const name = `t_img_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(inject('pgAdminUrl'));
      url.pathname = `/${name}`;
      const run = (command: string, extra: Record<string, string> = {}) =>
        execFileSync(process.execPath, [join(out, 'api', 'services', 'api', 'src', `${command}.mjs`)], {
          cwd: join(out, 'api'),
          env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', DATABASE_URL: url.toString(), ...extra },
          encoding: 'utf8',
        });
      expect(run('db-migrate')).toContain('migrations done');
      const roles = run('db-roles', { API_DB_PASSWORD: TEST_ROLE_PASSWORDS.api, INGEST_DB_PASSWORD: TEST_ROLE_PASSWORDS.ingest });
      expect(roles).toContain('database roles provisioned');
      const probe = new pg.Client({ connectionString: url.toString() });
      await probe.connect();
      const { rows } = await probe.query(`SELECT has_table_privilege('freiplatz_api', 'facilities', 'SELECT') AS reads,
        has_table_privilege('freiplatz_api', 'occupancy_events', 'INSERT') AS writes_events`);
      await probe.end();
      expect(rows[0]).toEqual({ reads: true, writes_events: false });
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('starts the API bundle, which reports healthy and serves the facilities', async () => {
    const port = await findFreePort();
    start('api', { PORT: String(port), HOST: '127.0.0.1' });
    await expect.poll(() => healthy('api', `http://127.0.0.1:${port}/healthz`), { timeout: 30_000, interval: 250 }).toBe(true);
    const res = await fetch(`http://127.0.0.1:${port}/v1/facilities`);
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('img');
  });
});
