import { createSilentLogger } from '@freiplatz/config';
import { createStateSweeper } from '@freiplatz/ingest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { buildSensorsRegistry } from '../../../../../test/sensors/registry.js';
import { createOpsFixture, type OpsFixture } from '../../../../../test/support/ops-fixture.js';
import {
  opsAuditSchema,
  opsClosureResultSchema,
  opsRegistryResultSchema,
  opsRejectsSchema,
  opsSensorDetailSchema,
  opsSensorListSchema,
  opsSummarySchema,
} from '../../openapi/ops.js';

// biome-ignore lint/suspicious/noExplicitAny: loosely typed JSON bodies in assertions
type Json = Record<string, any>;

describe('operator API: happy paths', () => {
  let f: OpsFixture;
  const t0 = Date.now();
  const json = async (path: string, token: string) => {
    const res = await f.get(path, token);
    expect(res.status).toBe(200);
    return (await res.json()) as Json;
  };
  const facilityState = (id: string) =>
    f.h.db.selectFrom('facility_state').selectAll().where('facility_id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    f = await createOpsFixture();
    f.setNow(t0);
    await f.h.startIngest();
    await f.h.publish('parking/v1/bays/quick-1-s', { occupied: false, ts: t0, seq: 1, battery: 3.6, rssi: -80 });
    await f.h.publish('parking/v1/bays/quick-2-s', { occupied: false, ts: t0, seq: 1, battery: 3.1 });
    await f.h.publish('parking/v1/bays/ulrich-18-s', { occupied: true, ts: t0 + 3_600_000, seq: 1 });
    await f.h.publish('parking/v1/bays/stranger-9', { occupied: true, seq: 1 });
    await f.h.publish('parking/v1/bays/quick-1-s', 'garbage');
    await f.h.publish('parking/v1/counters/gate-in', { vehicles: 3, ts: t0, seq: 1 });
    await vi.waitFor(async () => expect((await f.h.db.selectFrom('sensor_state').select('sensor_id').execute()).length).toBe(5));
    await vi.waitFor(async () => expect((await f.h.db.selectFrom('ingest_rejects').select('id').execute()).length).toBe(1));
  });
  afterAll(async () => f?.h.close());

  it('lists sensors with last seen, battery, RSSI, state and health', async () => {
    const body = await json('/v1/ops/sensors', f.keys.reader);
    const byId = new Map((body.items as Json[]).map((s) => [s.id, s]));
    expect(byId.get('quick-1-s')).toMatchObject({
      kind: 'bay',
      facilityId: 'quick',
      spotId: 'quick-1',
      occupied: false,
      rssi: -80,
      health: [],
    });
    expect(byId.get('quick-1-s')?.battery).toBeCloseTo(3.6, 5);
    expect(byId.get('quick-2-s')?.health).toEqual(['low_battery']);
    expect(byId.get('ulrich-18-s')?.health).toEqual(['clock_skew']);
    expect(byId.get('stranger-9')).toMatchObject({ kind: null, facilityId: null, health: ['unassigned'] });
    expect(byId.get('bay-ulrich-017')?.health).toEqual(['offline']);
    expect(byId.get('gate-in')).toMatchObject({ kind: 'counter', facilityId: 'garage', vehicles: 3 });
  });

  it.each([
    ['low_battery', ['quick-2-s']],
    ['unassigned', ['stranger-9']],
    ['clock_skew', ['ulrich-18-s']],
    ['low_battery,unassigned', ['quick-2-s', 'stranger-9']],
  ])('filters sensors by health=%s', async (health, ids) => {
    const body = await json(`/v1/ops/sensors?health=${health}`, f.keys.reader);
    expect((body.items as Json[]).map((s) => s.id)).toEqual(ids);
  });

  it('turns a silent sensor offline by the clock alone: spot unknown, free drops, listed as offline', async () => {
    expect((await facilityState('quick')).free).toBe(2);
    const later = Date.now() + 60_000;
    const sweeper = createStateSweeper({ db: f.h.db, intervalMs: 3_600_000, logger: createSilentLogger(), now: () => new Date(later) });
    await sweeper.sweep();
    await sweeper.stop();
    expect(await facilityState('quick')).toMatchObject({ free: 1, unknown: 1 });
    f.setNow(later);
    const body = await json('/v1/ops/sensors?health=offline&facility=quick', f.keys.reader);
    expect((body.items as Json[]).map((s) => s.id)).toEqual(['quick-1-s']);
    f.setNow(t0);
  });

  it('shows one sensor with its recent events, newest first', async () => {
    await f.h.publish('parking/v1/bays/quick-1-s', { occupied: true, ts: t0 + 1000, seq: 2 });
    await expect.poll(async () => ((await json('/v1/ops/sensors/quick-1-s', f.keys.reader)).recentEvents as Json[]).length).toBe(2);
    const body = await json('/v1/ops/sensors/quick-1-s', f.keys.reader);
    expect(body).toMatchObject({ id: 'quick-1-s', occupied: true });
    expect((body.recentEvents as Json[]).map((e) => [e.seq, e.occupied])).toEqual([
      [2, true],
      [1, false],
    ]);
  });

  it('sums up health per facility', async () => {
    const body = await json('/v1/ops/summary', f.keys.reader);
    const quick = (body.facilities as Json[]).find((x) => x.facilityId === 'quick');
    expect(quick).toMatchObject({ sensors: 2, health: { low_battery: 1 } });
    expect((body.facilities as Json[]).find((x) => x.facilityId === null)).toMatchObject({ sensors: 1, health: { unassigned: 1 } });
    expect((body.facilities as Json[]).find((x) => x.facilityId === 'garage')).toMatchObject({ vehicles: 3, counterClamps: 0 });
    expect(body.totals).toMatchObject({ unassigned: 1, low_battery: 1, clock_skew: 1 });
  });

  it('groups dead letters by reason with samples', async () => {
    const body = await json('/v1/ops/rejects', f.keys.reader);
    expect(body.total).toBe(1);
    expect(body.byCode).toEqual([
      expect.objectContaining({
        code: 'NOT_JSON',
        count: 1,
        samples: [expect.objectContaining({ topic: 'parking/v1/bays/quick-1-s', payload: 'garbage', encoding: 'utf8' })],
      }),
    ]);
  });

  it('closes and reopens spots, bumping facility state, and audits both', async () => {
    const close = await f.send(
      'POST',
      '/v1/ops/facilities/quick/closures',
      { closed: true, spots: ['quick-2'], reason: 'roadworks' },
      f.keys.admin,
    );
    expect(close.status).toBe(200);
    expect(await close.json()).toEqual({ facilityId: 'quick', closed: true, changedSpots: ['quick-2'] });
    expect(await facilityState('quick')).toMatchObject({ closed: 1 });
    const open = await f.send('POST', '/v1/ops/facilities/quick/closures', { closed: false, reason: 'done' }, f.keys.admin);
    expect(await open.json()).toMatchObject({ changedSpots: ['quick-2'] });
    const audit = await json('/v1/ops/audit?action=facility.close', f.keys.admin);
    expect(audit.items).toEqual([
      expect.objectContaining({ action: 'facility.close', facilityId: 'quick', detail: { reason: 'roadworks', spots: ['quick-2'] } }),
    ]);
  });

  it('moves a spot between facilities (city-wide key): both recounted, and the public API sees both and a rename', async () => {
    const before = { quick: await facilityState('quick'), ulrich: await facilityState('ulrich') };
    const publicView = async (id: string) => (await (await f.app.hono.request(`/v1/facilities/${id}`)).json()) as Json;
    expect((await publicView('ulrich')).name).toBe('Ulrichplatz');
    const res = await f.send(
      'PUT',
      '/v1/ops/registry',
      {
        version: 1,
        facilities: [
          {
            id: 'ulrich',
            name: 'Ulrichplatz (Nord)',
            kind: 'on_street',
            location: { lat: 52.128, lon: 11.632 },
            spots: [{ id: 'ulrich-17' }, { id: 'ulrich-18' }, { id: 'quick-2' }],
          },
        ],
      },
      f.keys.admin,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ changedFacilities: 2 });
    expect(await facilityState('quick')).toMatchObject({ capacity: before.quick.capacity - 1, version: before.quick.version + 1 });
    expect(await facilityState('ulrich')).toMatchObject({ capacity: before.ulrich.capacity + 1 });
    expect(await publicView('ulrich')).toMatchObject({ name: 'Ulrichplatz (Nord)' });
    const quick = await publicView('quick');
    expect(JSON.stringify(quick)).toContain(`"capacity":${before.quick.capacity - 1}`);
    // And back, for the tests that follow.
    await f.h.importRegistry(buildSensorsRegistry());
    expect(await facilityState('quick')).toMatchObject({ capacity: before.quick.capacity });
  });

  it('imports a registry through PUT /registry and audits it', async () => {
    const res = await f.send(
      'PUT',
      '/v1/ops/registry',
      {
        version: 1,
        facilities: [
          { id: 'new-lot', name: 'New lot', kind: 'car_park', location: { lat: 52.1, lon: 11.6 }, spots: [{ id: 'new-lot-1' }] },
        ],
      },
      f.keys.admin,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ facilities: 1, spots: 1 });
    const audit = await json('/v1/ops/audit?action=registry.import', f.keys.admin);
    expect(audit.items[0]).toMatchObject({ action: 'registry.import', detail: { facilityIds: ['new-lot'] } });
  });

  it('answers every operator route as the OpenAPI document describes it (no field more, none of another type)', async () => {
    const conforms = async (res: Response | Promise<Response>, schema: z.ZodType) => {
      const r = await res;
      expect(r.status).toBe(200);
      const body = await r.json();
      // Parsing drops undocumented fields and fails on wrong types: equality means the schema says it all.
      expect(schema.parse(body)).toEqual(body);
      return body as Json;
    };
    const list = await conforms(f.get('/v1/ops/sensors', f.keys.reader), opsSensorListSchema);
    expect(list.items.length).toBeGreaterThanOrEqual(5);
    const detail = await conforms(f.get('/v1/ops/sensors/quick-1-s', f.keys.reader), opsSensorDetailSchema);
    expect(detail.recentEvents.length).toBeGreaterThan(0);
    const counted = await conforms(f.get('/v1/ops/summary', f.keys.reader), opsSummarySchema);
    expect(counted.facilities.some((x: Json) => 'counterClamps' in x)).toBe(true);
    await conforms(f.get('/v1/ops/rejects', f.keys.reader), opsRejectsSchema);
    await conforms(
      f.send('POST', '/v1/ops/facilities/quick/closures', { closed: false, reason: 'check' }, f.keys.admin),
      opsClosureResultSchema,
    );
    await conforms(f.send('PUT', '/v1/ops/registry', { version: 1, facilities: [], sensors: [] }, f.keys.admin), opsRegistryResultSchema);
    const audit = await conforms(f.get('/v1/ops/audit?limit=5', f.keys.admin), opsAuditSchema);
    expect(audit.items).toHaveLength(5);
  });

  it('records every key use in the audit log', async () => {
    const body = await json('/v1/ops/audit?action=key.use&limit=500', f.keys.admin);
    const uses = body.items as Json[];
    expect(uses.some((u) => u.path === '/v1/ops/summary' && u.status === 200)).toBe(true);
    expect(uses.some((u) => u.path === '/v1/ops/registry' && u.method === 'PUT')).toBe(true);
    expect(uses.every((u) => typeof u.keyId === 'string' && u.keyId.length === 12)).toBe(true);
  });
});
