/** Flags an event can carry into history. */
export type EventFlag = 'no_ts';

/** What a bay sensor said, normalised. */
export interface BayEvent {
  kind: 'bay';
  sensorId: string;
  ts: Date;
  /** Device sequence number (frame counter); null when the device sends none. */
  seq: number | null;
  receivedAt: Date;
  occupied: boolean;
  battery: number | null;
  rssi: number | null;
  heartbeat: boolean;
  flags: EventFlag[];
}

export type OccupancyEvent = BayEvent;
