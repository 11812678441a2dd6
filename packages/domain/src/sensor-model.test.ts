import { describe, expect, it } from 'vitest';
import { mapDecodedFields } from './model-mapping.js';
import { parseRegistry } from './registry.schema.js';
import { resolveSensorModel, sensorModelSchema } from './sensor-model.js';

const custom = sensorModelSchema.parse({
  id: 'acme-mv',
  occupancy: { field: 'car', occupiedValues: ['yes'], freeValues: ['no'] },
  battery: { field: 'vbat_mv', unit: 'mV' },
  health: { lowBatteryVolts: 2.9 },
});

describe('mapDecodedFields', () => {
  it.each([
    ['occupied-voltage', { occupied: true, battery_voltage: 3.5, temperature: -2 }, { occupied: true, battery: 3.5, temperature: -2 }],
    ['parking-status', { parking_status: 'free', battery: 70 }, { occupied: false, batteryLevel: 70, battery: null }],
    ['parking-status', { parking_status: 1 }, { occupied: true }],
    ['generic', { status: 'vacant', vbat: 3.4 }, { occupied: false, battery: 3.4 }],
    ['generic', { presence: 1, heartbeat: true }, { occupied: true, heartbeat: true }],
    ['generic', { battery: 85 }, { occupied: null, battery: null, batteryLevel: null }],
    ['native', { occupied: false }, { occupied: false }],
  ])('maps with model %s: %j', (id, object, expected) => {
    expect(mapDecodedFields(resolveSensorModel(id), object)).toMatchObject({ ok: true, ...expected });
  });

  it('maps a registry model with millivolts and words', () => {
    expect(mapDecodedFields(custom, { car: 'yes', vbat_mv: 3012 })).toMatchObject({ ok: true, occupied: true, battery: 3.012 });
  });

  it.each([
    [{ car: 'perhaps' }, 'car'],
    [{ car: 'no', vbat_mv: 'low' }, 'battery must be a number'],
  ])('refuses %j', (object, reasonPart) => {
    const result = mapDecodedFields(custom, object);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reasonPart);
  });

  it('falls back to the generic model for an unknown model id', () => {
    expect(resolveSensorModel('no-such-model').id).toBe('generic');
    expect(resolveSensorModel('acme-mv', new Map([['acme-mv', custom]]))).toBe(custom);
  });
});

describe('registry with sensor models and counters', () => {
  const base = {
    version: 1,
    facilities: [
      { id: 'garage', name: 'Garage', kind: 'car_park', location: { lat: 52, lon: 11 }, capacity: 120 },
      { id: 'street', name: 'Street', kind: 'on_street', location: { lat: 52, lon: 11 }, spots: [{ id: 'street-1' }] },
    ],
    sensorModels: [{ id: 'acme-mv', occupancy: { field: 'car' } }],
    sensors: [
      { id: 'gate-in', kind: 'counter', facilityId: 'garage' },
      { id: 'bay-1', spotId: 'street-1', model: 'acme-mv' },
    ],
  };

  it('accepts counter sensors on counted facilities and bay sensors with registry models', () => {
    const result = parseRegistry(base);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.registry.sensors).toMatchObject([
        { kind: 'counter', facilityId: 'garage', model: 'native' },
        { kind: 'bay', model: 'acme-mv' },
      ]);
      expect(result.registry.sensorModels[0]?.health.maxChangesPerHour).toBe(12);
    }
  });

  it.each([
    [
      'a counter on a facility without capacity',
      { sensors: [{ id: 'c', kind: 'counter', facilityId: 'street' }] },
      'sensors[0].facilityId',
    ],
    ['an unknown model', { sensors: [{ id: 'b', spotId: 'street-1', model: 'nope' }] }, 'sensors[0].model'],
    ['a counter with a spot', { sensors: [{ id: 'c', kind: 'counter', facilityId: 'garage', spotId: 'street-1' }] }, 'sensors[0]'],
    [
      'a counted facility with spots',
      { facilities: [{ ...base.facilities[0], spots: [{ id: 'g-1' }] }, base.facilities[1]], sensors: [] },
      'facilities[0].capacity',
    ],
  ])('names the path for %s', (_name, patch, path) => {
    const result = parseRegistry({ ...base, ...patch });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.some((i) => i.startsWith(path))).toBe(true);
  });
});
