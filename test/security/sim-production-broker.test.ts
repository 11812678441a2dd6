import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildRegistry } from '@freiplatz/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssuedCsv } from '../../infra/scripts/provision.js';
import { REPO_ROOT } from '../support/processes.js';
import { createSecurePipeline, type SecurePipeline } from './support/secure-pipeline.js';

const run = promisify(execFile);
const registry = buildRegistry({ id: 'simp', spots: 6 });
const dir = mkdtempSync(join(tmpdir(), 'freiplatz-sim-prod-'));
let p: SecurePipeline;

/** `pnpm sim` as an operator runs it against the production broker; returns its last line's counts. */
async function sim(args: string[], env: Record<string, string> = {}) {
  const { stderr } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      'simulators/sensors/src/main.ts',
      '--url',
      p.broker.url,
      '--registry',
      join(dir, 'registry.json'),
      '--speed',
      '600',
      ...args,
    ],
    { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', MQTT_CA_FILE: p.certs.caFile, ...env }, timeout: 25_000 },
  ).catch((err: { stderr?: string; code?: number }) => ({ stderr: `${err.stderr ?? ''}\nexit ${err.code}` }));
  const m = /(\d+) acknowledged by the broker, (\d+) refused or failed/.exec(stderr);
  return { acknowledged: Number(m?.[1] ?? Number.NaN), refused: Number(m?.[2] ?? Number.NaN), stderr };
}
const stored = async () =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM occupancy_events`.execute(p.harness.db)).rows[0]?.n ?? 0;

beforeAll(async () => {
  p = await createSecurePipeline(registry);
  await p.harness.startIngest({
    mqttUrl: p.broker.url,
    protocolVersion: 5,
    username: 'ingest-1@svc',
    password: p.passwords.get('ingest-1@svc') ?? '',
    transport: { ca: (await import('node:fs')).readFileSync(p.certs.caFile) },
  });
  writeFileSync(join(dir, 'registry.json'), JSON.stringify(registry));
  const issued = [...p.passwords].map(([username, password]) => ({
    username,
    password,
    kind: username.endsWith('@svc') ? ('service' as const) : ('sensor' as const),
  }));
  writeFileSync(join(dir, 'issued.csv'), formatIssuedCsv(issued));
}, 60_000);
afterAll(async () => {
  await p?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pnpm sim against the production broker (TLS, per-sensor accounts, ACL)', { timeout: 60_000 }, () => {
  it('connects each sensor as itself with the provisioned credentials and the CA, and every acknowledged message is stored', async () => {
    const result = await sim(['--duration', '3', '--credentials', join(dir, 'issued.csv')]);
    expect(result.refused, result.stderr).toBe(0);
    // Every sensor reports its state at start, then changes and heartbeats follow.
    expect(result.acknowledged).toBeGreaterThanOrEqual(registry.sensors.length);
    await expect.poll(stored, { timeout: 15_000 }).toBe(result.acknowledged);
  });

  it('with one account over MQTT 5, counts the messages the ACL refused as refused, not delivered', async () => {
    const before = await stored();
    const one = registry.sensors[0]!.id;
    const result = await sim(['--duration', '3'], { MQTT_USERNAME: one, MQTT_PASSWORD: p.passwords.get(one) ?? '' });
    // The other five sensors' start-up reports at least: the ACL refuses them (PUBACK 0x87).
    expect(result.refused, result.stderr).toBeGreaterThanOrEqual(registry.sensors.length - 1);
    expect(result.acknowledged).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => (await stored()) - before, { timeout: 15_000 }).toBe(result.acknowledged);
    expect(result.stderr).toMatch(/exit 1/);
  });

  it('says that refusals are invisible over MQTT 3.1.1', async () => {
    const one = registry.sensors[0]!.id;
    const result = await sim(['--duration', '1', '--mqtt-version', '4'], { MQTT_USERNAME: one, MQTT_PASSWORD: p.passwords.get(one) ?? '' });
    expect(result.stderr).toMatch(/MQTT 3\.1\.1: a broker that refuses a message \(ACL\) still acknowledges it/);
  });
});
