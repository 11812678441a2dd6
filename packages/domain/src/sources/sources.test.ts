import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeSensorHealth } from '../health.js';
import { parseRegistry } from '../registry.schema.js';
import { parseDatex2V2Status, parseDatex2V3Status } from './datex2-status.js';
import { parseParkApiV3 } from './parkapi-v3.js';
import { type DataSource, dataSourceSchema, sourceCounterSensors } from './source.schema.js';
import { toSourceEvents, toSourceHeartbeats } from './source-events.js';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../../test/fixtures/opendata/${name}`, import.meta.url)), 'utf8');
const counted = (id: string, capacity = 100) => ({ id, name: id, kind: 'car_park', location: { lat: 52, lon: 11 }, capacity });
const raw = (overrides: Record<string, unknown> = {}) => ({
  id: 'vr',
  url: 'https://vr.example/status.xml',
  format: 'datex2-v3-status',
  idMap: { 'PH-1': 'p1' },
  ...overrides,
});
const source = (overrides: Partial<DataSource> = {}): DataSource => dataSourceSchema.parse(raw(overrides));

describe('registry sources', () => {
  it('registers a synthetic counter per fed facility, silent after the stale limit', () => {
    const registry = parseRegistry({ version: 1, facilities: [counted('p1')], sources: [source({ pollIntervalSeconds: 30 })] });
    expect(registry.ok && sourceCounterSensors(registry.registry.sources)).toEqual([
      { id: 'source:vr:p1', kind: 'counter', facilityId: 'p1', model: 'native', heartbeatIntervalSeconds: 36 },
    ]);
  });

  it.each([
    [{ facilities: [{ ...counted('p1'), capacity: undefined, spots: [] }] }, 'sources[0].idMap.PH-1: no counted facility "p1"'],
    [{ sensors: [{ id: 'gate', kind: 'counter', facilityId: 'p1' }] }, 'sources[0].idMap.PH-1: facility "p1" has counter sensors'],
    [{ sources: [raw(), raw()] }, 'sources[1].id: duplicate source id "vr"'],
    [{ sources: [raw({ authHeader: { name: 'X-Key', valueEnv: 'sk-live-12345' } })] }, 'sources[0].authHeader.valueEnv'],
    [{ sources: [raw({ url: 'file:///etc/passwd' })] }, 'sources[0].url'],
  ])('refuses %j', (patch, issue) => {
    const result = parseRegistry({ version: 1, facilities: [counted('p1')], sources: [raw()], ...patch });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.join('\n')).toContain(issue);
  });
});

describe('feed parsers', () => {
  it('reads a DATEX II v3.6 status', () => {
    const parsed = parseDatex2V3Status(fixture('datex2-v3-status.xml'));
    expect(parsed).toMatchObject({ ok: true, publishedAt: new Date('2026-05-04T09:58:30Z') });
    expect(parsed.ok && parsed.readings).toEqual([
      { siteId: 'PH-MESSE', observedAt: new Date('2026-05-04T09:58:00Z'), free: 137, occupied: 275, capacity: 412, opening: 'open' },
      { siteId: 'PH-ZENTRUM', observedAt: new Date('2026-05-04T09:57:30Z'), free: 0, occupied: 380, capacity: null, opening: 'open' },
    ]);
  });

  it('reads a DATEX II v2.3 status and a ParkAPI v3 list', () => {
    expect(parseDatex2V2Status(fixture('datex2-v2.3-status.xml'))).toMatchObject({
      ok: true,
      readings: [{ siteId: 'P+R-NORD', observedAt: new Date('2026-05-04T07:58:00Z'), free: 44, occupied: 76, capacity: 120 }],
    });
    expect(parseParkApiV3(fixture('parkapi-v3-parking-sites.json'))).toMatchObject({
      ok: true,
      readings: [{ siteId: 'pr-sued', free: 91, capacity: 250, opening: 'open' }],
    });
  });

  it.each([
    ['<d2:payload><unclosed>', parseDatex2V3Status],
    ['<root/>', parseDatex2V3Status],
    [fixture('datex2-v3-status.xml'), parseDatex2V2Status],
    ['{"items":[{"uid":""}]}', parseParkApiV3],
    ['not json', parseParkApiV3],
  ])('calls %s malformed', (body, parse) => {
    expect(parse(body)).toMatchObject({ ok: false, code: 'MALFORMED' });
  });
});

describe('readings to counter events', () => {
  const s = source({ idMap: { 'PH-1': 'p1', 'PH-2': 'p2' }, staleAfterSeconds: 60 });
  const receivedAt = new Date('2026-05-04T10:00:00Z');
  const reading = (siteId: string, fields: { free?: number | null; occupied?: number | null; observedAt?: Date | null }) => ({
    siteId,
    observedAt: null,
    free: null,
    occupied: null,
    capacity: null,
    opening: 'open' as const,
    ...fields,
  });

  it('turns vacant spaces into vehicles against our capacity, at the observation time', () => {
    const out = toSourceEvents(
      s,
      {
        publishedAt: null,
        readings: [reading('PH-1', { free: 30, observedAt: new Date('2026-05-04T09:59:30Z') }), reading('X', { free: 1 })],
      },
      new Map([['p1', 100]]),
      receivedAt,
    );
    expect(out.events).toMatchObject([
      { kind: 'counter', sensorId: 'source:vr:p1', vehicles: 70, ts: new Date('2026-05-04T09:59:30Z'), flags: [] },
    ]);
    expect(out.unmapped).toEqual(['X']);
  });

  it('gives no event for a reading already stale, or without counts: the facility turns unknown, never free', () => {
    const out = toSourceEvents(
      s,
      { publishedAt: null, readings: [reading('PH-1', { free: 30, observedAt: new Date('2026-05-04T09:58:00Z') }), reading('PH-2', {})] },
      new Map([
        ['p1', 100],
        ['p2', 100],
      ]),
      receivedAt,
    );
    expect(out.events).toEqual([]);
    expect(out.skipped).toEqual(['p1', 'p2']);
  });

  it('answers a 304 with heartbeats for fresh readings only', () => {
    const beats = toSourceHeartbeats(
      s,
      new Map([
        ['p1', new Date('2026-05-04T09:59:30Z')],
        ['p2', new Date('2026-05-04T09:58:00Z')],
      ]),
      receivedAt,
    );
    expect(beats).toMatchObject([{ sensorId: 'source:vr:p1', vehicles: null, entered: null, exited: null, ts: receivedAt }]);
  });

  it('flags a source whose silence outlasts the limit as source_stale, not offline', () => {
    const input = {
      assigned: true,
      source: true,
      heartbeatIntervalSeconds: 24,
      facilityKind: 'car_park' as const,
      thresholds: { lowBatteryVolts: 3, lowBatteryPercent: 10, maxChangesPerHour: 60 },
      state: { lastSeenAt: new Date('2026-05-04T09:58:00Z'), battery: null, batteryLevel: null, stateSince: null },
      changesLastHour: 0,
      lastClockSkewAt: null,
    };
    expect(computeSensorHealth(input, receivedAt)).toEqual(['source_stale']);
    expect(computeSensorHealth({ ...input, source: false }, receivedAt)).toEqual(['offline']);
  });
});
