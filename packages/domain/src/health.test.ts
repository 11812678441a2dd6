import { describe, expect, it } from 'vitest';
import { computeSensorHealth, type SensorHealthInput } from './health.js';
import { healthThresholdsSchema } from './sensor-model.js';

const now = new Date('2026-11-27T12:00:00Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const thresholds = healthThresholdsSchema.parse({});

const healthy: SensorHealthInput = {
  assigned: true,
  heartbeatIntervalSeconds: 600,
  facilityKind: 'on_street',
  thresholds,
  state: { lastSeenAt: ago(5), battery: 3.6, batteryLevel: null, stateSince: ago(60) },
  changesLastHour: 2,
  lastClockSkewAt: null,
};
const withState = (state: Partial<NonNullable<SensorHealthInput['state']>>): SensorHealthInput => ({
  ...healthy,
  state: { ...healthy.state!, ...state },
});

describe('computeSensorHealth', () => {
  it.each<[string, SensorHealthInput, string[]]>([
    ['a sensor that reported recently', healthy, []],
    ['silent for 2.4 heartbeats', withState({ lastSeenAt: ago(24) }), []],
    ['silent for 2.6 heartbeats', withState({ lastSeenAt: ago(26) }), ['offline']],
    ['registered and never heard', { ...healthy, state: null }, ['offline']],
    ['heard but not in the registry', { ...healthy, assigned: false }, ['unassigned']],
    ['battery below 3.3 V', withState({ battery: 3.2 }), ['low_battery']],
    ['battery level below 15 %', withState({ battery: null, batteryLevel: 9 }), ['low_battery']],
    ['battery level of 15 %', withState({ battery: null, batteryLevel: 15 }), []],
    ['the same state for 49 h on the street', withState({ stateSince: ago(49 * 60) }), ['stuck']],
    ['the same state for 49 h on a camper pitch', { ...withState({ stateSince: ago(49 * 60) }), facilityKind: 'rv_site' }, []],
    ['the same state for 22 days on a camper pitch', { ...withState({ stateSince: ago(22 * 1440) }), facilityKind: 'rv_site' }, ['stuck']],
    [
      'a model threshold of 2 h for stuck',
      { ...withState({ stateSince: ago(150) }), thresholds: { ...thresholds, stuckAfterHours: 2 } },
      ['stuck'],
    ],
    ['an offline sensor is not also stuck', withState({ stateSince: ago(49 * 60), lastSeenAt: ago(60) }), ['offline']],
    ['12 changes in an hour', { ...healthy, changesLastHour: 12 }, []],
    ['13 changes in an hour', { ...healthy, changesLastHour: 13 }, ['flapping']],
    ['a skewed clock 2 h ago', { ...healthy, lastClockSkewAt: ago(120) }, ['clock_skew']],
    ['a skewed clock 25 h ago', { ...healthy, lastClockSkewAt: ago(25 * 60) }, []],
    [
      'several problems at once',
      { ...withState({ lastSeenAt: ago(90), battery: 3.0 }), assigned: false, changesLastHour: 40 },
      ['unassigned', 'offline', 'low_battery', 'flapping'],
    ],
  ])('%s', (_name, input, expected) => {
    expect(computeSensorHealth(input, now)).toEqual(expected);
  });
});
