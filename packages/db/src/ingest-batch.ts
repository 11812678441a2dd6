import type { CounterEvent, OccupancyEvent, StatusEvent } from '@freiplatz/domain';
import type { Reject } from './ingest-rejects.repository.js';
import { flagsLiteral, toReal } from './pg-encoding.js';

/** The stored `seq` of an event without one (part of the dedupe key). */
export const NO_SEQ = -1;

/** Counter and device-status events: committed by `commitDeviceEvents`, as objects. */
export type DeviceEvent = CounterEvent | StatusEvent;

/**
 * Bay events as columns: what an ingest commit reads of them, one array per field. The ingest
 * worker's main thread builds them and hands them to its commit thread: typed arrays cross threads
 * as one block each (transferred), where event objects crossed as ~5 objects each (two `Date`s),
 * to be collected again in the commit thread while its commit ran.
 */
export interface BayColumns {
  n: number;
  sensorId: string[];
  tsMs: Float64Array;
  /** `NO_SEQ` when the device sends none. */
  seq: Float64Array;
  receivedMs: Float64Array;
  occupied: Uint8Array;
  heartbeat: Uint8Array;
  /** Measurements as a `real` column holds them (`toReal`); NaN for null. */
  battery: Float64Array;
  rssi: Float64Array;
  temperature: Float64Array;
  batteryLevel: Float64Array;
  /** Flags as PostgreSQL array text, e.g. `{no_ts}`. */
  flags: string[];
}

/**
 * One batch for `commitIngestBatch`, built by `toIngestBatch`. Handing it to a commit thread
 * transfers its typed arrays (`bayColumnBuffers`), which leaves them empty here: build one per attempt.
 */
export interface IngestBatch {
  bay: BayColumns;
  device: readonly DeviceEvent[];
  rejects: readonly Reject[];
}

const realOrNaN = (x: number | null | undefined): number => toReal(x) ?? Number.NaN;

/** The one way events become a batch: bay events into columns, in one pass, the others as they are. */
export function toIngestBatch(events: readonly OccupancyEvent[], rejects: readonly Reject[] = []): IngestBatch {
  const size = events.length;
  const sensorId = new Array<string>(size);
  const flags = new Array<string>(size);
  const c: BayColumns = {
    n: 0,
    sensorId,
    tsMs: new Float64Array(size),
    seq: new Float64Array(size),
    receivedMs: new Float64Array(size),
    occupied: new Uint8Array(size),
    heartbeat: new Uint8Array(size),
    battery: new Float64Array(size),
    rssi: new Float64Array(size),
    temperature: new Float64Array(size),
    batteryLevel: new Float64Array(size),
    flags,
  };
  const device: DeviceEvent[] = [];
  let n = 0;
  for (let j = 0; j < size; j++) {
    const e = events[j] as OccupancyEvent;
    if (e.kind !== 'bay') {
      device.push(e);
      continue;
    }
    const i = n++;
    sensorId[i] = e.sensorId;
    c.tsMs[i] = e.ts.getTime();
    c.seq[i] = e.seq ?? NO_SEQ;
    c.receivedMs[i] = e.receivedAt.getTime();
    c.occupied[i] = e.occupied ? 1 : 0;
    c.heartbeat[i] = e.heartbeat ? 1 : 0;
    c.battery[i] = realOrNaN(e.battery);
    c.rssi[i] = realOrNaN(e.rssi);
    c.temperature[i] = realOrNaN(e.temperature);
    c.batteryLevel[i] = realOrNaN(e.batteryLevel);
    flags[i] = flagsLiteral(e.flags);
  }
  c.n = n;
  return { bay: n < size ? trimmed(c) : c, device, rejects };
}

/** The columns cut to their `n` events (views on the same buffers). */
function trimmed(c: BayColumns): BayColumns {
  const n = c.n;
  c.sensorId.length = n;
  c.flags.length = n;
  return {
    n,
    sensorId: c.sensorId,
    tsMs: c.tsMs.subarray(0, n),
    seq: c.seq.subarray(0, n),
    receivedMs: c.receivedMs.subarray(0, n),
    occupied: c.occupied.subarray(0, n),
    heartbeat: c.heartbeat.subarray(0, n),
    battery: c.battery.subarray(0, n),
    rssi: c.rssi.subarray(0, n),
    temperature: c.temperature.subarray(0, n),
    batteryLevel: c.batteryLevel.subarray(0, n),
    flags: c.flags,
  };
}

/** The buffers of the typed arrays, for `postMessage`'s transfer list (they are unusable here after). */
export function bayColumnBuffers(c: BayColumns): ArrayBuffer[] {
  return [c.tsMs, c.seq, c.receivedMs, c.occupied, c.heartbeat, c.battery, c.rssi, c.temperature, c.batteryLevel].map(
    (a) => a.buffer as ArrayBuffer,
  );
}
