import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCluster, startLocalCluster } from '../../infra/scripts/cluster/start-cluster.js';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { readMetric } from './worker-process.js';

// pnpm cluster:local's building blocks: the production files, Mosquitto over TLS, two workers on
// two slots, two API replicas behind Debian's nginx, all on 127.0.0.1.
const SENSORS = 20;
const registry = buildRegistry({ id: 'cl', spots: SENSORS });
const dir = join(tmpdir(), `freiplatz-cluster-${randomUUID()}`);
let h: Harness;
let cluster: LocalCluster;
let agent: Agent;

/** GET through nginx over HTTPS with the cluster's CA: the status and body, or the network error. */
function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(`${cluster.proxyUrl}${path}`, { agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}
const slotHeld = async (worker: number, slot: string) => {
  const res = await fetch(`http://127.0.0.1:${cluster.workers[worker]!.metricsPort}/metrics`).catch(() => null);
  return res ? readMetric(await res.text(), `freiplatz_ingest_slot_held{slot="${slot}"}`) : Number.NaN;
};

beforeAll(async () => {
  h = await createHarness();
  mkdirSync(dir, { mode: 0o755 });
  cluster = await startLocalCluster({ dir, registry, databaseUrl: h.databaseUrl });
  agent = new Agent({ ca: readFileSync(cluster.caFile), keepAlive: true, maxSockets: 8 });
}, 90_000);
afterAll(async () => {
  agent?.destroy();
  await cluster?.stop();
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pnpm cluster:local', () => {
  it('serves through nginx with 0 errors while an API replica is SIGKILLed under load', { timeout: 30_000 }, async () => {
    await expect.poll(async () => (await get('/readyz')).status, { timeout: 15_000 }).toBe(200);
    const results: Array<{ status: number; body: string }> = [];
    const started = Date.now();
    // 4 clients × 10 requests/s for 5 s: below nginx's 50 r/s per client address.
    const client = async () => {
      for (let n = 0; n < 50 && Date.now() - started < 6000; n++) {
        results.push(await get('/v1/facilities'));
        await new Promise((r) => setTimeout(r, Math.max(0, started + (n + 1) * 100 - Date.now())));
      }
    };
    const killer = new Promise<void>((resolve) => setTimeout(() => void cluster.apis[0]!.stop('SIGKILL').then(resolve), 1000));
    await Promise.all([client(), client(), client(), client(), killer]);
    expect(cluster.apis[0]!.process.signalCode).toBe('SIGKILL');
    expect(results.length).toBeGreaterThanOrEqual(150);
    expect(results.filter((r) => r.status !== 200).slice(0, 5)).toEqual([]);
  });

  it('limits a client at nginx for the whole stack, answering 429 in the API’s error shape', { timeout: 20_000 }, async () => {
    const burst = await Promise.all(Array.from({ length: 300 }, () => get('/v1/facilities/cl/availability')));
    const limited = burst.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(JSON.parse(limited[0]!.body)).toMatchObject({ error: { code: 'RATE_LIMITED', requestId: expect.any(String) } });
  });

  it('takes a SIGKILLed worker’s slot over and stores what sensors publish meanwhile, then gives it back', {
    timeout: 45_000,
  }, async () => {
    await expect.poll(() => slotHeld(1, 'ingest-1@svc'), { timeout: 15_000 }).toBe(0);
    await cluster.workers[0]!.stop('SIGKILL');
    await expect.poll(() => slotHeld(1, 'ingest-1@svc'), { timeout: 15_000, interval: 200 }).toBe(1);
    const ca = readFileSync(cluster.caFile);
    for (const sensor of registry.sensors) {
      const c = await mqtt.connectAsync(cluster.mqttUrl, {
        ca,
        protocolVersion: 5,
        username: sensor.id,
        password: cluster.passwords.get(sensor.id) ?? '',
      });
      await c.publishAsync(`parking/v1/bays/${sensor.id}`, JSON.stringify({ occupied: true, seq: 1, ts: Date.now() - 1000 }), { qos: 1 });
      await c.endAsync();
    }
    const stored = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM occupancy_events`.execute(h.db)).rows[0]?.n;
    await expect.poll(stored, { timeout: 15_000 }).toBe(SENSORS);
    await cluster.restartWorker(0);
    await expect.poll(() => slotHeld(0, 'ingest-1@svc'), { timeout: 20_000 }).toBe(1);
    expect(await slotHeld(1, 'ingest-1@svc')).toBe(0);
  });
});
