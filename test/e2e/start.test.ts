import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '@freiplatz/testing';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, startService } from '../support/processes.js';

interface FacilityItem {
  id: string;
  kind: string;
  availability: { capacity: number; free: number; occupied: number; unknown: number; status: string };
}

/** `pnpm start` as a newcomer runs it: embedded PostgreSQL and broker, demo city, ingest, API, simulator. */
describe('one-command start on embedded defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'freiplatz-start-'));
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  let launcher: ServiceProcess | null = null;
  let ports: { api: number; mqtt: number; pg: number };

  const start = async (simulator: 'on' | 'off') => {
    ports ??= { api: await findFreePort(), mqtt: await findFreePort(), pg: await findFreePort() };
    launcher = startService('services/launcher/src/main.ts', {
      DATA_DIR: dataDir,
      PORT: String(ports.api),
      MQTT_PORT: String(ports.mqtt),
      PG_PORT: String(ports.pg),
      SIMULATOR: simulator,
      SIMULATOR_SPEED: '3600',
      LOG_FORMAT: 'json',
    });
    await launcher.waitForOutput('Freiplatz is running', 120_000);
  };
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${ports.api}${path}`);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const facilities = async () => (await api<{ items: FacilityItem[] }>('/v1/facilities')).items;
  const stopAndCheckNothingLeft = async () => {
    const code = await launcher?.kill('SIGTERM');
    launcher = null;
    expect(code).toBe(0);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(postgresProcessesOf(dataDir)).toEqual([]);
  };

  afterAll(async () => {
    await launcher?.kill('SIGKILL');
    for (const pid of postgresProcessesOf(dataDir)) process.kill(Number(pid), 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the demo city; one event moves the count by exactly one; bad payloads become dead letters', { timeout: 180_000 }, async () => {
    await start('off');
    const items = await facilities();
    expect(items.length).toBeGreaterThanOrEqual(6);
    expect(new Set(items.map((f) => f.kind))).toEqual(new Set(['car_park', 'on_street', 'rv_site', 'park_and_ride']));
    expect(items.reduce((n, f) => n + f.availability.capacity, 0)).toBeGreaterThanOrEqual(300);

    const camper = items.find((f) => f.kind === 'rv_site')!;
    const spots = (await api<{ items: Array<{ id: string; sensorId: string | null }> }>(`/v1/facilities/${camper.id}/spots`)).items;
    const sensorId = spots.find((s) => s.sensorId)?.sensorId;
    expect(sensorId).toBeTruthy();
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, { protocolVersion: 4 });
    try {
      const freeOf = async () => (await api<FacilityItem>(`/v1/facilities/${camper.id}`)).availability.free;
      await client.publishAsync(`parking/v1/bays/${sensorId}`, JSON.stringify({ occupied: false }), { qos: 1 });
      await expect.poll(freeOf, { timeout: 5000, interval: 20 }).toBe(1);

      const t0 = performance.now();
      await client.publishAsync(`parking/v1/bays/${sensorId}`, JSON.stringify({ occupied: true }), { qos: 1 });
      await expect.poll(freeOf, { timeout: 1000, interval: 10 }).toBe(0);
      console.log(`[e2e] publish → API showed the change in ${Math.round(performance.now() - t0)} ms`);

      await client.publishAsync(`parking/v1/bays/${sensorId}`, JSON.stringify({ occupied: 'yes' }), { qos: 1 });
      await client.publishAsync(`parking/v1/bays/${sensorId}`, Buffer.from([0xde, 0xad, 0xbe, 0xef]), { qos: 1 });
      const db = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${ports.pg}/freiplatz` });
      await db.connect();
      try {
        const rejects = async () => (await db.query('SELECT code, reason FROM ingest_rejects ORDER BY id')).rows;
        await expect.poll(async () => (await rejects()).length, { timeout: 5000 }).toBe(2);
        const rows = await rejects();
        expect(rows.map((r) => r.code)).toEqual(['INVALID_PAYLOAD', 'NOT_JSON']);
        expect(rows.every((r) => r.reason.length > 0)).toBe(true);
      } finally {
        await db.end();
      }
      expect(await freeOf()).toBe(0);
      await api('/healthz');
    } finally {
      await client.endAsync();
    }
    await stopAndCheckNothingLeft();
  });

  it('restarts on the same data, and the simulator moves the numbers', { timeout: 180_000 }, async () => {
    await start('on');
    const snapshot = async () => JSON.stringify((await facilities()).map((f) => f.availability.free));
    const first = await snapshot();
    await expect.poll(snapshot, { timeout: 30_000, interval: 200 }).not.toBe(first);
    const second = await snapshot();
    await expect.poll(snapshot, { timeout: 30_000, interval: 200 }).not.toBe(second);
    const known = (await facilities()).reduce((n, f) => n + f.availability.free + f.availability.occupied, 0);
    expect(known).toBeGreaterThan(100);
    await stopAndCheckNothingLeft();
  });
});

/** PIDs of postgres processes serving `dataDir`. */
function postgresProcessesOf(dataDir: string): string[] {
  try {
    const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
    return out
      .split('\n')
      .filter((l) => /postgres/.test(l) && l.includes(dataDir))
      .map((l) => l.trim().split(/\s+/)[0] ?? '');
  } catch {
    return [];
  }
}
