import { DEFAULT_STALE_FACTOR } from './availability.js';
import type { FacilityKind } from './registry.schema.js';
import type { HealthThresholds } from './sensor-model.js';

export const healthFlags = ['offline', 'low_battery', 'stuck', 'flapping', 'unassigned', 'clock_skew', 'source_stale'] as const;
export type HealthFlag = (typeof healthFlags)[number];

/** How long the same state is plausible per facility kind, when the model does not say. */
export const DEFAULT_STUCK_HOURS: Record<FacilityKind, number> = {
  on_street: 48,
  park_and_ride: 72,
  car_park: 168,
  rv_site: 504,
};

/** A wrong device clock stays visible for this long after the last skewed event. */
export const CLOCK_SKEW_MEMORY_MS = 24 * 3_600_000;

export interface SensorHealthInput {
  /** Registered and assigned to a spot or facility. */
  assigned: boolean;
  /** The synthetic counter of a polled source (sources/source.schema.ts): silent means `source_stale`. */
  source?: boolean;
  heartbeatIntervalSeconds: number;
  facilityKind: FacilityKind | null;
  thresholds: HealthThresholds;
  /** null when the sensor was never heard. */
  state: {
    lastSeenAt: Date;
    battery: number | null;
    batteryLevel: number | null;
    /** Since when the sensor reports its current occupancy; null for counters and unknown. */
    stateSince: Date | null;
  } | null;
  changesLastHour: number;
  lastClockSkewAt: Date | null;
}

/** Decides which health flags a sensor shows at `now`; an empty list means healthy. */
export function computeSensorHealth(input: SensorHealthInput, now: Date, staleFactor = DEFAULT_STALE_FACTOR): HealthFlag[] {
  const flags: HealthFlag[] = [];
  const { state, thresholds } = input;
  if (!input.assigned) flags.push('unassigned');
  const offline = state === null || now.getTime() - state.lastSeenAt.getTime() > input.heartbeatIntervalSeconds * 1000 * staleFactor;
  // A sensor never heard is offline only once it is meant to be somewhere.
  if (offline && (state !== null || input.assigned)) flags.push(input.source ? 'source_stale' : 'offline');
  if (state) {
    const lowVolts = state.battery !== null && state.battery < thresholds.lowBatteryVolts;
    const lowLevel = state.batteryLevel !== null && state.batteryLevel < thresholds.lowBatteryPercent;
    if (lowVolts || lowLevel) flags.push('low_battery');
    const stuckHours = thresholds.stuckAfterHours ?? (input.facilityKind ? DEFAULT_STUCK_HOURS[input.facilityKind] : null);
    if (
      !offline &&
      stuckHours !== null &&
      state.stateSince !== null &&
      now.getTime() - state.stateSince.getTime() > stuckHours * 3_600_000
    ) {
      flags.push('stuck');
    }
  }
  if (input.changesLastHour > thresholds.maxChangesPerHour) flags.push('flapping');
  if (input.lastClockSkewAt !== null && now.getTime() - input.lastClockSkewAt.getTime() <= CLOCK_SKEW_MEMORY_MS) flags.push('clock_skew');
  return flags;
}
