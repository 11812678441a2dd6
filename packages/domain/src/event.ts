/** Flags an event can carry into history. */
export type EventFlag = 'no_ts' | 'clock_skew';

/** What every decoded message has in common. */
export interface EventBase {
  sensorId: string;
  ts: Date;
  /** Device sequence number (frame counter); null when the device sends none. */
  seq: number | null;
  receivedAt: Date;
  /** Battery in volts. */
  battery: number | null;
  /** Battery level in percent (e.g. from a LoRaWAN device-status answer). */
  batteryLevel?: number | null;
  rssi: number | null;
  temperature?: number | null;
  flags: EventFlag[];
}

/** What a bay sensor said, normalised. */
export interface BayEvent extends EventBase {
  kind: 'bay';
  occupied: boolean;
  heartbeat: boolean;
}

/** What an entry/exit counter said: an absolute count, deltas, or both (the absolute wins). */
export interface CounterEvent extends EventBase {
  kind: 'counter';
  vehicles: number | null;
  entered: number | null;
  exited: number | null;
}

/** A device-status report (battery, link margin) without any occupancy information. */
export interface StatusEvent extends EventBase {
  kind: 'status';
  margin: number | null;
}

export type OccupancyEvent = BayEvent | CounterEvent | StatusEvent;
