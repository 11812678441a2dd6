import { computeSensorHealth, type HealthFlag, healthThresholdsSchema, type Registry } from '@freiplatz/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FaultRates } from './faults.js';
import { createSimulationCore } from './simulation-core.js';
import { readDemoRegistry } from './test-registry.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const thresholds = healthThresholdsSchema.parse({});
let registry: Registry;
beforeAll(async () => {
  registry = await readDemoRegistry();
});

interface Heard {
  lastSeenMs: number;
  battery: number | null;
  occupied: boolean;
  stateSinceMs: number;
  /** `ts` of every change of reported state. */
  changes: number[];
}

/**
 * Plays the demo city at `speed` on a virtual real-time clock (ticks of one real second, as fast as
 * the machine goes) and keeps what ingest would: per sensor the newest state, when it started, its
 * battery, when it was last heard and the `ts` of each change.
 */
function play(speed: number, realMs: number, faults: FaultRates = {}) {
  const start = Date.UTC(2026, 5, 10, 4); // a Wednesday, 06:00 in Magdeburg: rush hour comes
  const core = createSimulationCore({ registry, speed, seed: 11, realStartMs: start, faults });
  const heard = new Map<string, Heard>();
  for (let now = start; now <= start + realMs; now += 1000) {
    for (const planned of core.plan(now)) {
      const message = core.build(planned, now);
      if (!message) continue;
      const payload = JSON.parse(message.payload) as { occupied: boolean; ts: string; battery: number };
      const sensorId = message.topic.split('/').at(-1) ?? '';
      const ts = Date.parse(payload.ts);
      const before = heard.get(sensorId);
      if (!before)
        heard.set(sensorId, { lastSeenMs: now, battery: payload.battery, occupied: payload.occupied, stateSinceMs: ts, changes: [] });
      else {
        if (before.occupied !== payload.occupied) {
          before.changes.push(ts);
          before.stateSinceMs = ts;
        }
        Object.assign(before, { lastSeenMs: now, battery: payload.battery, occupied: payload.occupied });
      }
    }
  }
  return { heard, end: start + realMs };
}

/** The most changes any sensor made within one hour of `ts`. */
function mostChangesInAnHour(changes: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; j < changes.length; j++) {
    while ((changes[j] ?? 0) - (changes[i] ?? 0) >= HOUR) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

function flagsOf(sensorId: string, heard: Heard | undefined, nowMs: number, changesLastHour: number): HealthFlag[] {
  const sensor = registry.sensors.find((s) => s.id === sensorId);
  const spot = sensor?.kind === 'bay' ? registry.facilities.find((f) => f.spots.some((s) => s.id === sensor.spotId)) : undefined;
  return computeSensorHealth(
    {
      assigned: sensor !== undefined,
      heartbeatIntervalSeconds: sensor?.heartbeatIntervalSeconds ?? 600,
      facilityKind: spot?.kind ?? null,
      thresholds,
      state: heard
        ? { lastSeenAt: new Date(heard.lastSeenMs), battery: heard.battery, batteryLevel: null, stateSince: new Date(heard.stateSinceMs) }
        : null,
      changesLastHour,
      lastClockSkewAt: null,
    },
    new Date(nowMs),
  );
}

describe('the demo at its default speed (60×) shows realistic health', () => {
  it('raises no flapping for a healthy fleet over three simulated days (72 real minutes)', () => {
    const { heard, end } = play(60, 72 * MINUTE);
    const worst = Math.max(...[...heard.values()].map((h) => mostChangesInAnHour(h.changes)));
    console.log(`[demo] most changes of one sensor within one real hour at 60×: ${worst}`);
    expect(worst).toBeLessThanOrEqual(thresholds.maxChangesPerHour);
    const flagged = [...heard].filter(([id, h]) => flagsOf(id, h, end, mostChangesInAnHour(h.changes)).length > 0);
    expect(flagged).toEqual([]);
    // The city still lives: most sensors changed, and the day's curve moved the count.
    expect([...heard.values()].filter((h) => h.changes.length > 0).length).toBeGreaterThan(heard.size * 0.5);
  });

  it('with faults, shows each health rule of the README within five minutes', () => {
    const { heard, end } = play(60, 5 * MINUTE, { die: 0.05, stick: 0.05, flap: 0.05, drain: 0.05, stray: 0.01 });
    const ids = new Set([...registry.sensors.map((s) => s.id), ...heard.keys()]);
    const seen = new Set<HealthFlag>();
    for (const id of ids) {
      const h = heard.get(id);
      const lastHour = h ? h.changes.filter((ts) => ts > end - HOUR).length : 0;
      for (const flag of flagsOf(id, h, end, lastHour)) seen.add(flag);
    }
    expect([...seen].sort()).toEqual(['flapping', 'low_battery', 'offline', 'stuck', 'unassigned']);
  });
});
