import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, createHarness, type Harness } from './harness.js';

const facilityState = (h: Harness, id: string) =>
  h.db.selectFrom('facility_state').selectAll().where('facility_id', '=', id).executeTakeFirstOrThrow();

describe('ingest pipeline: MQTT → PostgreSQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'p1', spots: 4 }, { id: 'p2', spots: ['standard', 'disabled'] }));
    await h.startIngest();
  });
  afterAll(async () => h?.close());

  it('turns a bay event into sensor and facility state', async () => {
    const now = Date.now();
    for (let i = 1; i <= 4; i++) await h.publish(`parking/v1/bays/p1-${i}-s`, { occupied: false, ts: now, seq: 1 });
    await expect.poll(async () => (await facilityState(h, 'p1')).free).toBe(4);
    const before = await facilityState(h, 'p1');
    await h.publish('parking/v1/bays/p1-1-s', { occupied: true, ts: now + 1000, seq: 2 });
    await expect.poll(async () => (await facilityState(h, 'p1')).free).toBe(3);
    const after = await facilityState(h, 'p1');
    expect(after).toMatchObject({ capacity: 4, free: 3, occupied: 1, unknown: 0, status: 'open' });
    expect(after.version).toBeGreaterThan(before.version);
  });

  it('keeps the newer state when an old event arrives late, and ignores duplicates', async () => {
    const t = Date.now();
    await h.publish('parking/v1/bays/p2-1-s', { occupied: true, ts: t, seq: 10 });
    await h.publish('parking/v1/bays/p2-1-s', { occupied: true, ts: t, seq: 10 });
    await h.publish('parking/v1/bays/p2-1-s', { occupied: false, ts: t - 60_000, seq: 9 });
    await h.publish('parking/v1/bays/p2-2-s', { occupied: false, ts: t, seq: 1 });
    await expect
      .poll(async () => (await h.db.selectFrom('occupancy_events').select('seq').where('sensor_id', '=', 'p2-1-s').execute()).length)
      .toBe(2);
    await expect.poll(async () => (await facilityState(h, 'p2')).free).toBe(1);
    const state = await facilityState(h, 'p2');
    expect(state).toMatchObject({ capacity: 2, free: 1, occupied: 1, unknown: 0 });
    expect(state.by_category).toMatchObject({ disabled: { free: 1 }, standard: { occupied: 1 } });
    const sensor = await h.db.selectFrom('sensor_state').selectAll().where('sensor_id', '=', 'p2-1-s').executeTakeFirstOrThrow();
    expect(sensor).toMatchObject({ occupied: true, seq: 10, event_count: 2 });
  });

  it('puts bad payloads into the dead-letter table with a reason and goes on', async () => {
    await h.publish('parking/v1/bays/p1-2-s', { occupied: 'yes' });
    await h.publish('parking/v1/bays/p1-2-s', 'not json at all');
    await h.publish('parking/v1/bays/bad%id', { occupied: true });
    await expect.poll(async () => (await h.db.selectFrom('ingest_rejects').selectAll().execute()).length).toBe(3);
    const rejects = await h.db.selectFrom('ingest_rejects').selectAll().orderBy('id').execute();
    expect(rejects.map((r) => r.code)).toEqual(['INVALID_PAYLOAD', 'NOT_JSON', 'BAD_SENSOR_ID']);
    expect(rejects[0]?.reason).toContain('occupied');
    expect(rejects[1]?.payload.toString()).toBe('not json at all');
    await h.publish('parking/v1/bays/p1-2-s', { occupied: true, ts: Date.now() + 2000, seq: 5 });
    await expect.poll(async () => (await facilityState(h, 'p1')).occupied).toBe(2);
  });

  it('records a sensor that is not in the registry as unassigned and keeps its events', async () => {
    await h.publish('parking/v1/bays/stranger-1', { occupied: true, seq: 1 });
    await expect
      .poll(async () => (await h.db.selectFrom('unassigned_sensors').selectAll().execute()).map((r) => r.sensor_id))
      .toEqual(['stranger-1']);
    const events = await h.db.selectFrom('occupancy_events').selectAll().where('sensor_id', '=', 'stranger-1').execute();
    expect(events).toHaveLength(1);
    expect(events[0]?.flags).toEqual(['no_ts']);
  });
});
