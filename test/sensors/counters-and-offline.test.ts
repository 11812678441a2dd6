import { createSilentLogger } from '@freiplatz/config';
import { createStateSweeper } from '@freiplatz/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../harness.js';
import { buildSensorsRegistry } from './registry.js';

const facilityState = (h: Harness, id: string) =>
  h.db.selectFrom('facility_state').selectAll().where('facility_id', '=', id).executeTakeFirstOrThrow();

describe('counted facilities', () => {
  let h: Harness;
  const t0 = Date.now();
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildSensorsRegistry());
    await h.startIngest();
  });
  afterAll(async () => h?.close());

  it('counts a counted facility unknown until its counters report', async () => {
    expect(await facilityState(h, 'garage')).toMatchObject({ capacity: 10, free: 0, unknown: 10, status: 'unknown' });
  });

  it('gives free = capacity − vehicles from an absolute count and then from entered/exited deltas', async () => {
    await h.publish('parking/v1/counters/gate-in', { vehicles: 4, ts: t0, seq: 1 });
    await h.publish('parking/v1/counters/gate-out', { exited: 0, ts: t0, seq: 1 });
    await expect.poll(async () => (await facilityState(h, 'garage')).free).toBe(6);
    await h.publish('parking/v1/counters/gate-in', { entered: 3, ts: t0 + 1000, seq: 2 });
    await h.publish('parking/v1/counters/gate-out', { exited: 1, ts: t0 + 1000, seq: 2 });
    await expect.poll(async () => (await facilityState(h, 'garage')).free).toBe(4);
    expect(await facilityState(h, 'garage')).toMatchObject({ capacity: 10, occupied: 6, unknown: 0, vehicles: 6, vehicle_clamps: 0 });
  });

  it('ignores a redelivered delta and a late delta older than the absolute count it is part of', async () => {
    await h.publish('parking/v1/counters/gate-in', { entered: 3, ts: t0 + 1000, seq: 2 });
    await h.publish('parking/v1/counters/gate-in', { entered: 5, ts: t0 - 60_000, seq: 0 });
    await h.publish('parking/v1/counters/gate-in', { entered: 1, ts: t0 + 2000, seq: 3 });
    await expect.poll(async () => (await facilityState(h, 'garage')).free).toBe(3);
  });

  it('rebases on a late absolute count and keeps the deltas that came after it', async () => {
    // gate-in: absolute 4 @t0, +3 @t0+1s, +1 @t0+2s. A late absolute of 2 @t0+1.5s leaves 2 + 1 = 3 for gate-in.
    await h.publish('parking/v1/counters/gate-in', { vehicles: 2, ts: t0 + 1500, seq: 0 });
    await expect.poll(async () => (await facilityState(h, 'garage')).vehicles).toBe(2);
    expect((await facilityState(h, 'garage')).free).toBe(8);
  });

  it('clamps an impossible count to [0, capacity] and counts each clamp', async () => {
    await h.publish('parking/v1/counters/gate-in', { vehicles: 14, ts: t0 + 3000, seq: 4 });
    await expect.poll(async () => (await facilityState(h, 'garage')).vehicles).toBe(13);
    expect(await facilityState(h, 'garage')).toMatchObject({ free: 0, occupied: 10, status: 'full', vehicle_clamps: 1 });
    await h.publish('parking/v1/counters/gate-out', { exited: 20, ts: t0 + 4000, seq: 3 });
    await expect.poll(async () => (await facilityState(h, 'garage')).vehicles).toBe(-7);
    expect(await facilityState(h, 'garage')).toMatchObject({ free: 10, occupied: 0, vehicle_clamps: 2 });
  });
});

describe('a bay sensor that falls silent', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildSensorsRegistry());
    await h.startIngest();
  });
  afterAll(async () => h?.close());

  it('turns its spot unknown after 2.5 heartbeats without any new event, and the facility free count drops', async () => {
    const now = Date.now();
    await h.publish('parking/v1/bays/quick-1-s', { occupied: false, ts: now, seq: 1 });
    await h.publish('parking/v1/bays/quick-2-s', { occupied: false, ts: now, seq: 1 });
    await expect.poll(async () => (await facilityState(h, 'quick')).free).toBe(2);
    const before = await facilityState(h, 'quick');
    const listener = await h.listen('facility_state');
    // quick-1-s beats every 10 s: a minute later it is past 2.5 intervals; quick-2-s (600 s) is not.
    const sweeper = createStateSweeper({
      db: h.db,
      intervalMs: 3_600_000,
      logger: createSilentLogger(),
      now: () => new Date(Date.now() + 60_000),
    });
    await sweeper.sweep();
    await sweeper.stop();
    const after = await facilityState(h, 'quick');
    expect(after).toMatchObject({ free: 1, unknown: 1, occupied: 0 });
    expect(after.version).toBeGreaterThan(before.version);
    await expect.poll(() => listener.payloads.some((p) => p.includes('"quick"'))).toBe(true);
    await listener.close();
  });
});
