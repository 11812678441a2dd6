import { healthThresholdsSchema, type Registry } from '@freiplatz/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulationCore } from './simulation-core.js';
import { readDemoRegistry } from './test-registry.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const { maxChangesPerHour } = healthThresholdsSchema.parse({});
let registry: Registry;
beforeAll(async () => {
  registry = await readDemoRegistry();
});

/** The `ts` of every reported change per sensor, playing the demo city at `speed` on a virtual real-time clock. */
function playChanges(speed: number, realMs: number): Map<string, number[]> {
  const start = Date.UTC(2026, 5, 10, 4); // a Wednesday, 06:00 in Magdeburg: rush hour comes
  const core = createSimulationCore({ registry, speed, seed: 11, realStartMs: start });
  const reported = new Map<string, boolean>();
  const changes = new Map<string, number[]>();
  for (let now = start; now <= start + realMs; now += 1000) {
    for (const planned of core.plan(now)) {
      const message = core.build(planned, now);
      if (!message) continue;
      const { occupied, ts } = JSON.parse(message.payload) as { occupied: boolean; ts: string };
      const sensorId = message.topic.split('/').at(-1) ?? '';
      if (reported.has(sensorId) && reported.get(sensorId) !== occupied)
        changes.set(sensorId, [...(changes.get(sensorId) ?? []), Date.parse(ts)]);
      reported.set(sensorId, occupied);
    }
  }
  return changes;
}

/** The most changes within any one hour. */
function mostInAnHour(changes: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; j < changes.length; j++) {
    while ((changes[j] ?? 0) - (changes[i] ?? 0) >= HOUR) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

// The end-to-end version (broker, ingest, the operators' health view, faults) is test/e2e/demo-health.test.ts.
describe('the demo at its default speed (60×)', () => {
  it('changes no healthy bay more often in any real hour than the flapping rule allows, over three simulated days', () => {
    const changes = playChanges(60, 72 * MINUTE);
    const worst = Math.max(...[...changes.values()].map(mostInAnHour));
    console.log(`[demo] most changes of one sensor within one real hour at 60×: ${worst} (flapping above ${maxChangesPerHour})`);
    expect(worst).toBeLessThanOrEqual(maxChangesPerHour);
    // The city still lives: most bays changed.
    expect(changes.size).toBeGreaterThan(registry.sensors.length * 0.5);
  });
});
