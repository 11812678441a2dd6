import { DEFAULT_STUCK_HOURS, type Registry } from '@freiplatz/domain';
import { assignFaults, type DeviceFaults, type FaultRates } from './faults.js';
import type { MessageFormat } from './message-format.js';
import { advanceOccupancyModel, createOccupancyModel, type OccupancyModel } from './occupancy-model.js';
import { createRng, type Rng } from './rng.js';
import {
  type BayMessage,
  buildBayMessage,
  createSensorFleet,
  type PlannedMessage,
  planMessages,
  type SensorDevice,
} from './sensor-fleet.js';
import { createVirtualClock } from './virtual-clock.js';

export interface SimulationCoreOptions {
  registry: Registry;
  /** Simulated seconds per real second. */
  speed: number;
  seed: number;
  /** Real epoch ms the run starts at (the clock the messages' `ts` follow). */
  realStartMs: number;
  /** Simulated start instant; default: the real start. */
  simStartMs?: number;
  timeZone?: string;
  format?: MessageFormat;
  faults?: FaultRates;
}

/** The city's sensors without a broker: what they say at each real instant. The simulator and the demo test drive it. */
export interface SimulationCore {
  model: OccupancyModel;
  /** The registry's bay sensors (aligned with `model.spots`), then the strays the registry does not know. */
  devices: SensorDevice[];
  faults: DeviceFaults[];
  /** Moves the city to real time `realMs` and lists who should speak. */
  plan(realMs: number): PlannedMessage[];
  /** The message one planned device sends at `realMs`; null when it has nothing new to say. */
  build(planned: PlannedMessage, realMs: number): BayMessage | null;
}

/** Builds the model, the devices with their faults and the stray devices of a run. */
export function createSimulationCore(options: SimulationCoreOptions): SimulationCore {
  const modelRng = createRng(options.seed);
  const deviceRng: Rng = createRng(options.seed ^ 0x5eed);
  const model = createOccupancyModel(options.registry, {
    startMs: options.simStartMs ?? options.realStartMs,
    rng: modelRng,
    speed: options.speed,
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
  });
  const devices = createSensorFleet(options.registry, model, deviceRng);
  const rates = options.faults ?? {};
  const strays = Math.ceil((rates.stray ?? 0) * devices.length);
  for (let i = 1; i <= strays; i++) {
    const sensorId = `sim-stray-${i}`;
    devices.push({ ...structuredClone(devices[0] ?? fallbackDevice), sensorId, topic: `parking/v1/bays/${sensorId}`, heartbeatMs: 60_000 });
  }
  const stuckAfterMs = (index: number) => {
    const kind = model.spots[index]?.kind;
    return ((kind ? DEFAULT_STUCK_HOURS[kind] : 48) + 1) * 3_600_000;
  };
  const faults = assignFaults(devices.length, rates, createRng(options.seed ^ 0xfa17), options.realStartMs, stuckAfterMs);
  const clock = createVirtualClock({ realStartMs: options.realStartMs, simStartMs: model.simMs, speed: options.speed });
  const messageOptions = { format: options.format ?? ('native' as const), garbageRate: rates.garbage ?? 0 };
  return {
    model,
    devices,
    faults,
    plan(realMs) {
      advanceOccupancyModel(model, clock.simAt(realMs), modelRng);
      return planMessages(devices, model, realMs, faults);
    },
    build({ index, occupied, reason }, realMs) {
      const device = devices[index];
      if (!device) return null;
      const deviceFaults = faults[index];
      return buildBayMessage(device, occupied, reason, realMs, deviceRng, {
        ...messageOptions,
        ...(deviceFaults ? { faults: deviceFaults } : {}),
      });
    },
  };
}

const fallbackDevice: SensorDevice = {
  sensorId: '',
  topic: '',
  heartbeatMs: 60_000,
  seq: 0,
  battery: 3.6,
  rssiBase: -90,
  reported: null,
  nextHeartbeatMs: Number.POSITIVE_INFINITY,
};
