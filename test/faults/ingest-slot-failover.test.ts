import { readFileSync } from 'node:fs';
import { buildRegistry } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecurePipeline, type SecurePipeline } from '../security/support/secure-pipeline.js';
import { startService } from '../support/processes.js';
import { accountFor, countStored, startLoad } from './load.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

const SENSORS = 200;
const RATE = 2000;
const TOTAL = 60_000;
// The broker's per-session queue, lowered from the production 1,000,000 so that it is exceeded
// fast: at 1,000 events/s (one slot's share) it lasts 10 s; the worker stays away for 20. (Much
// lower, and a worker starved of CPU by a busy machine falls that far behind while connected.)
const QUEUE = 10_000;
const AWAY_MS = 20_000;
const SLOTS = ['ingest-1@svc', 'ingest-2@svc'];
const LOADER = { username: 'load@svc', password: 'load-test-only-password' };

describe('two ingest slots on the production Mosquitto, one worker SIGKILLed and kept away', () => {
  let p: SecurePipeline;
  const workers: WorkerProcess[] = [];
  const start = async (slot: string) => {
    const w = await startWorkerProcess({
      DATABASE_URL: p.harness.databaseUrl,
      MQTT_URL: p.broker.url,
      MQTT_CA_FILE: p.certs.caFile,
      MQTT_CLIENT_ID: slot,
      MQTT_PASSWORD: p.passwords.get(slot) ?? '',
      MQTT_PROTOCOL_VERSION: '5',
      MQTT_SHARE_GROUP: 'ingest',
      INGEST_SLOTS: SLOTS.join(','),
      INGEST_SLOT_POLL_MS: '500',
    });
    workers.push(w);
    return w;
  };
  const held = (w: WorkerProcess, slot: string) => w.metric(`freiplatz_ingest_slot_held{slot="${slot}"}`);

  beforeAll(async () => {
    p = await createSecurePipeline(buildRegistry({ id: 'slot', spots: SENSORS }), {
      brokerOverrides: { '\nmax_queued_messages 1000000\n': `\nmax_queued_messages ${QUEUE}\n` },
      // One publisher for all sensors (the production ACL lets a sensor write its own topics only).
      extraAccounts: { [LOADER.username]: { password: LOADER.password, acl: ['topic write parking/v1/bays/+'] } },
    });
  }, 60_000);
  afterAll(async () => {
    for (const w of workers) await w.kill('SIGKILL');
    await p?.close();
  });

  it('takes the dead worker’s session over, stores every acknowledged event once, and gives the slot back', {
    timeout: 85_000,
  }, async () => {
    const first = await start('ingest-1@svc');
    const second = await start('ingest-2@svc');
    await expect.poll(() => held(first, 'ingest-2@svc'), { timeout: 10_000 }).toBe(0);
    const load = await startLoad({
      url: p.broker.url,
      protocolVersion: 5,
      sensorIds: Array.from({ length: SENSORS }, (_, i) => `slot-${i + 1}-s`),
      ratePerSec: RATE,
      maxEvents: TOTAL,
      maxMs: 50_000,
      clientId: LOADER.username,
      connect: { ca: readFileSync(p.certs.caFile), username: LOADER.username, password: LOADER.password },
    });
    await expect.poll(() => countStored(p.harness.db), { timeout: 20_000, interval: 100 }).toBeGreaterThan(8000);
    expect(await first.metric('freiplatz_ingest_committed_total')).toBeGreaterThan(0);
    expect(await second.metric('freiplatz_ingest_committed_total')).toBeGreaterThan(0);

    await first.kill('SIGKILL');
    const killedAt = Date.now();
    const ackedBeforeKill = new Set(load.acked);
    // The dead slot's session (its in-flight and queued messages) is consumed again within 15 s:
    // everything acknowledged before the kill is stored by then.
    await expect.poll(() => held(second, 'ingest-1@svc'), { timeout: 15_000, interval: 200 }).toBe(1);
    await expect
      .poll(() => accountFor(p.harness.db, { acked: ackedBeforeKill, attempted: load.attempted }), {
        timeout: Math.max(0, 15_000 - (Date.now() - killedAt)),
        interval: 250,
      })
      .toMatchObject({ missing: [] });
    expect(await second.metric('freiplatz_ingest_slot_takeovers')).toBe(1);

    // Away for twice what the broker's queue holds at this slot's share; then back.
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + AWAY_MS - Date.now())));
    const back = await start('ingest-1@svc');
    await expect.poll(() => held(second, 'ingest-1@svc'), { timeout: 15_000 }).toBe(0);
    expect(await held(back, 'ingest-1@svc')).toBe(1);
    const backBefore = await back.metric('freiplatz_ingest_received_total');

    await load.done;
    expect(load.acked.size).toBe(TOTAL);
    await expect
      .poll(() => countStored(p.harness.db), { timeout: 30_000, interval: 250 })
      .toBe(TOTAL)
      .catch((err: unknown) => {
        throw new Error(
          `${String(err)}\nbroker: ${
            p.broker
              .log()
              .match(/.*dropped.*/g)
              ?.slice(0, 3)
              .join('\n') ?? 'nothing dropped'
          }`,
        );
      });
    expect(await accountFor(p.harness.db, load)).toEqual({ published: TOTAL, stored: TOTAL, missing: [], unexpected: [] });
    expect(p.broker.log()).not.toMatch(/dropped/i);
    // The returned worker consumes its share again.
    expect(await back.metric('freiplatz_ingest_received_total')).toBeGreaterThan(backBefore + 1000);
    // The broker's store totals ($SYS) reach the workers' /metrics, for the queue alerts.
    expect(await second.metric('freiplatz_broker_store_messages')).toBeGreaterThan(0);
    expect(await second.metric('freiplatz_broker_store_bytes')).toBeGreaterThan(0);
  });

  it('refuses slots without a share group (every slot would receive every message)', async () => {
    const w = startService('services/ingest/src/main.ts', {
      DATABASE_URL: p.harness.databaseUrl,
      MQTT_URL: p.broker.url,
      INGEST_SLOTS: SLOTS.join(','),
    });
    const code = w.child.exitCode ?? (await new Promise<number | null>((resolve) => w.child.once('exit', (c) => resolve(c))));
    expect(code).toBe(2);
    expect(w.output()).toContain('INGEST_SLOTS needs MQTT_SHARE_GROUP');
  });
});
