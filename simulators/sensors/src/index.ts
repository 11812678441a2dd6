export { BrokerConnectError } from './connect-client.js';
export { applyFaults, assignFaults, type DeviceFaults, type FaultRates, faultKinds, makeGarbage, parseFaultRates } from './faults.js';
export { type GuidanceFeed, renderGuidanceStatus, startGuidanceFeed } from './guidance-feed.js';
export { type BayReading, encodeBayReading, type MessageFormat, messageFormats } from './message-format.js';
export { advanceOccupancyModel, createOccupancyModel, type ModelSpot, measureOccupancy, type OccupancyModel } from './occupancy-model.js';
export { computeTargetOccupancy, readLocalTime } from './occupancy-profile.js';
export { RegistryFileError, readRegistryFile } from './read-registry-file.js';
export { createRng, type Rng } from './rng.js';
export {
  type BayMessage,
  buildBayMessage,
  createSensorFleet,
  type MessageReason,
  planMessages,
  type SensorDevice,
} from './sensor-fleet.js';
export type { SimProgress, SimStats, StopReason } from './sim-stats.js';
export { createSimulator, type Simulator, type SimulatorOptions } from './simulator.js';
export { createVirtualClock, type VirtualClock } from './virtual-clock.js';
