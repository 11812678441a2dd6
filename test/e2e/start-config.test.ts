import { createHmac } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '@freiplatz/testing';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMetric } from '../faults/worker-process.js';
import { type ServiceProcess, startService } from '../support/processes.js';

const SECRET = 'a-session-secret-of-at-least-32-characters';

/**
 * `pnpm start` runs the production services (startIngest, createApi) with the whole configuration
 * table: each non-default value below is observed from outside (issue 16).
 */
describe('pnpm start honours its configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'freiplatz-start-config-'));
  chmodSync(dir, 0o755);
  let launcher: ServiceProcess | null = null;
  let ports: { api: number; mqtt: number; pg: number; metrics: number };
  let clients = 0;
  // Every request names its own client behind the trusted proxy (the test's 127.0.0.1), so the
  // tiny rate limit below is spent only where a test means to.
  const get = (path: string, client = `10.1.0.${++clients}`) =>
    fetch(`http://127.0.0.1:${ports.api}${path}`, { headers: { 'X-Forwarded-For': client } });
  const ingestMetric = async (name: string) => readMetric(await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text(), name);
  const databaseUrl = () => `postgres://postgres:postgres@127.0.0.1:${ports.pg}/freiplatz`;

  beforeAll(async () => {
    ports = { api: await findFreePort(), mqtt: await findFreePort(), pg: await findFreePort(), metrics: await findFreePort() };
    launcher = startService('services/launcher/src/main.ts', {
      DATA_DIR: join(dir, 'data'),
      PORT: String(ports.api),
      MQTT_PORT: String(ports.mqtt),
      PG_PORT: String(ports.pg),
      SIMULATOR: 'off',
      LOG_FORMAT: 'json',
      INGEST_METRICS_PORT: String(ports.metrics),
      INGEST_BATCH_SIZE: '2',
      INGEST_FLUSH_MS: '60000',
      INGEST_COMMIT_INTERVAL_MS: '0',
      INGEST_MAX_UNACKED: '3',
      API_RATE_LIMIT_RPS: '0.01',
      API_RATE_LIMIT_BURST: '3',
      API_TRUSTED_PROXIES: '127.0.0.1',
      API_STREAM_MAX_PER_CLIENT: '2',
      OPS_SECURE_COOKIES: 'true',
      OPS_SESSION_SECRET: SECRET,
    });
    await launcher.waitForOutput('Freiplatz is running', 120_000);
  }, 150_000);

  afterAll(async () => {
    await launcher?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('ingests with INGEST_METRICS_PORT, INGEST_FLUSH_MS, INGEST_BATCH_SIZE and INGEST_MAX_UNACKED', { timeout: 60_000 }, async () => {
    const metric = (name: string) => ingestMetric(`freiplatz_ingest_${name}`);
    expect(await metric('received_total')).toBe(0);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, { protocolVersion: 4 });
    const holder = new pg.Client({ connectionString: databaseUrl() });
    await holder.connect();
    const publish = async (n: number) => {
      for (let i = 0; i < n; i++) await client.publishAsync('parking/v1/bays/mdb-ac-001', Buffer.from([0xde, 0xad, i]), { qos: 1 });
    };
    try {
      // One message waits for its batch far longer than the default 50 ms (INGEST_FLUSH_MS=60000) …
      await publish(1);
      await expect.poll(() => metric('received_total'), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => metric('oldest_unacked_seconds'), { timeout: 10_000 }).toBeGreaterThan(0.5);
      expect(await metric('batch_size_count')).toBe(0);
      // … until a second one fills it (INGEST_BATCH_SIZE=2).
      await publish(1);
      await expect.poll(() => metric('batch_size_count'), { timeout: 10_000 }).toBe(1);
      expect(await metric('batch_size_sum')).toBe(2);
      // While the test holds the dead-letter table, commits wait: the worker reads 3 (INGEST_MAX_UNACKED) of 5.
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE ingest_rejects IN EXCLUSIVE MODE');
      await publish(5);
      await expect.poll(() => metric('received_total'), { timeout: 10_000 }).toBe(5);
      await expect.poll(() => metric('oldest_unacked_seconds'), { timeout: 10_000 }).toBeGreaterThan(0.5);
      expect(await metric('received_total')).toBe(5);
      expect(await metric('unacked_messages')).toBe(3);
      await holder.query('COMMIT');
      await expect.poll(() => metric('received_total'), { timeout: 10_000 }).toBe(7);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      await client.endAsync();
    }
  });

  it('keys the rate limit on the client named by the trusted proxy (API_TRUSTED_PROXIES, API_RATE_LIMIT_*)', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/v1/facilities', '10.2.0.1')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // Another client behind the same proxy has its own budget.
    expect((await get('/v1/facilities', '10.2.0.2')).status).toBe(200);
  });

  it('caps the event streams per client (API_STREAM_MAX_PER_CLIENT)', async () => {
    const controller = new AbortController();
    try {
      const open = () =>
        fetch(`http://127.0.0.1:${ports.api}/v1/stream`, { headers: { 'X-Forwarded-For': '10.3.0.1' }, signal: controller.signal });
      expect((await open()).status).toBe(200);
      expect((await open()).status).toBe(200);
      const third = await open();
      expect(third.status).toBe(429);
      expect(((await third.json()) as { error: { message: string } }).error.message).toContain('too many open streams for this client');
    } finally {
      controller.abort();
    }
  });

  it('signs the dashboard sign-in with OPS_SESSION_SECRET and marks its cookie Secure (OPS_SECURE_COOKIES)', async () => {
    const res = await get('/ops');
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^fp_ops_login=[A-Za-z0-9_-]{32};/);
    expect(cookie).toMatch(/;\s*Secure/i);
    const nonce = /^fp_ops_login=([^;]+)/.exec(cookie)?.[1] ?? '';
    const formToken = /name="login" value="([^"]+)"/.exec(await res.text())?.[1];
    expect(formToken).toBe(createHmac('sha256', SECRET).update(`login:${nonce}`).digest('base64url'));
  });

  it('stops cleanly on SIGTERM, the ingest worker with its commit thread included', { timeout: 30_000 }, async () => {
    expect(await launcher?.kill('SIGTERM')).toBe(0);
    expect(launcher?.output()).not.toMatch(/"level":(50|60)/);
    launcher = null;
  });
});
