import type { LorawanBinding, Registry } from '@freiplatz/domain';
import { applyFaults, type DeviceFaults, DRAINING_START_VOLTS, makeGarbage, NO_FAULTS } from './faults.js';
import { encodeBayReading, type MessageFormat } from './message-format.js';
import type { OccupancyModel } from './occupancy-model.js';
import { pickBetween, type Rng } from './rng.js';

/** Why a message is sent: first report, state change, or the periodic heartbeat. */
export type MessageReason = 'initial' | 'change' | 'heartbeat';

/** Device-side state of one bay sensor, aligned by index with the model's spots. */
export interface SensorDevice {
  sensorId: string;
  topic: string;
  /** The registry's network-server binding: the device then publishes as that server does. */
  binding?: LorawanBinding;
  heartbeatMs: number;
  seq: number;
  battery: number;
  rssiBase: number;
  /** What the device last reported; null before its first message. */
  reported: boolean | null;
  /** Real epoch ms when the next heartbeat is due; Infinity before the first message. */
  nextHeartbeatMs: number;
}

/** One MQTT message ready to publish. */
export interface BayMessage {
  topic: string;
  payload: string;
  reason: MessageReason;
}

/** A message the simulator means to send: which device, and why. */
export interface PlannedMessage {
  index: number;
  reason: MessageReason;
  /** What the device reports: the bay's state, unless a fault says otherwise. */
  occupied: boolean;
}

/** How messages are encoded and which faults are injected. */
export interface MessageOptions {
  format?: MessageFormat;
  faults?: DeviceFaults;
  /** Share of messages replaced by garbage payloads. */
  garbageRate?: number;
}

const BATTERY_DRAIN_PER_MESSAGE = 0.00002;
const BATTERY_FLOOR = 2.9;

/** Builds one device per model spot, with its registry heartbeat interval and a seeded battery and radio. */
export function createSensorFleet(registry: Registry, model: OccupancyModel, rng: Rng): SensorDevice[] {
  const heartbeats = new Map(registry.sensors.map((s) => [s.id, s.heartbeatIntervalSeconds]));
  const bindings = new Map(registry.sensors.flatMap((s) => (s.lorawan ? [[s.id, s.lorawan] as const] : [])));
  return model.spots.map((spot) => ({
    sensorId: spot.sensorId,
    topic: `parking/v1/bays/${spot.sensorId}`,
    ...(bindings.has(spot.sensorId) ? { binding: bindings.get(spot.sensorId) as LorawanBinding } : {}),
    heartbeatMs: (heartbeats.get(spot.sensorId) ?? 600) * 1000,
    seq: 0,
    battery: Math.round(pickBetween(rng, 3.55, 3.66) * 1000) / 1000,
    rssiBase: spot.kind === 'car_park' ? pickBetween(rng, -108, -88) : pickBetween(rng, -98, -70),
    reported: null,
    nextHeartbeatMs: Number.POSITIVE_INFINITY,
  }));
}

/**
 * Lists what to send at real time `realMs`: initial states first, then spots whose state differs
 * from what their device last reported, then heartbeats that are due. At most one message per device.
 */
export function planMessages(
  devices: readonly SensorDevice[],
  model: OccupancyModel,
  realMs: number,
  faults?: readonly DeviceFaults[],
): PlannedMessage[] {
  const initial: PlannedMessage[] = [];
  const changes: PlannedMessage[] = [];
  const heartbeats: PlannedMessage[] = [];
  devices.forEach((device, index) => {
    const f = faults?.[index] ?? NO_FAULTS;
    if (f.diesAtMs !== null && realMs >= f.diesAtMs) return;
    const occupied = applyFaults(f, model.spots[index]?.occupied ?? false, device.reported, realMs);
    if (device.reported === null) initial.push({ index, reason: 'initial', occupied });
    else if (device.reported !== occupied) changes.push({ index, reason: 'change', occupied });
    else if (device.nextHeartbeatMs <= realMs) heartbeats.push({ index, reason: 'heartbeat', occupied });
  });
  return [...initial, ...changes, ...heartbeats];
}

/**
 * Turns a plan into the message a device sends at real time `realMs` (its `ts`): bumps seq, drains the
 * battery a little, and schedules the next heartbeat with jitter. Returns null when nothing is left to say.
 */
export function buildBayMessage(
  device: SensorDevice,
  occupied: boolean,
  reason: MessageReason,
  realMs: number,
  rng: Rng,
  options: MessageOptions = {},
): BayMessage | null {
  if (reason === 'change' && device.reported === occupied) return null;
  const firstMessage = device.reported === null;
  device.seq += 1;
  const faults = options.faults ?? NO_FAULTS;
  if (firstMessage && faults.drainPerMessage > 0) device.battery = DRAINING_START_VOLTS;
  device.battery = Math.max(BATTERY_FLOOR - 0.4, device.battery - BATTERY_DRAIN_PER_MESSAGE - faults.drainPerMessage);
  if (faults.drainPerMessage === 0) device.battery = Math.max(BATTERY_FLOOR, device.battery);
  device.reported = occupied;
  // The first heartbeat is spread over the whole interval so a fleet started together does not beat together.
  const jitter = firstMessage ? pickBetween(rng, 0.05, 1) : pickBetween(rng, 0.85, 1);
  device.nextHeartbeatMs = realMs + device.heartbeatMs * jitter;
  const encoded = encodeBayReading(
    options.format ?? 'native',
    {
      sensorId: device.sensorId,
      occupied,
      ts: new Date(realMs + faults.skewMs - (firstMessage ? faults.firstReportAgoMs : 0)),
      seq: device.seq,
      battery: Math.round(device.battery * 1000) / 1000,
      rssi: Math.round(device.rssiBase + pickBetween(rng, -4, 4)),
      heartbeat: reason === 'heartbeat',
    },
    device.binding,
  );
  const garbage = (options.garbageRate ?? 0) > 0 && rng() < (options.garbageRate ?? 0);
  return { topic: encoded.topic, payload: garbage ? makeGarbage(rng) : encoded.payload, reason };
}
