import type { BayEvent } from '@freiplatz/domain';
import { toReal } from './real.js';

/** The stored `seq` of an event without one (part of the dedupe key). */
export const NO_SEQ = -1;

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

const realOrNaN = (x: number | null | undefined): number => toReal(x) ?? Number.NaN;

export function toBayColumns(events: readonly BayEvent[]): BayColumns {
  const n = events.length;
  const c: BayColumns = {
    n,
    sensorId: new Array<string>(n),
    tsMs: new Float64Array(n),
    seq: new Float64Array(n),
    receivedMs: new Float64Array(n),
    occupied: new Uint8Array(n),
    heartbeat: new Uint8Array(n),
    battery: new Float64Array(n),
    rssi: new Float64Array(n),
    temperature: new Float64Array(n),
    batteryLevel: new Float64Array(n),
    flags: new Array<string>(n),
  };
  for (let i = 0; i < n; i++) {
    const e = events[i] as BayEvent;
    c.sensorId[i] = e.sensorId;
    c.tsMs[i] = e.ts.getTime();
    c.seq[i] = e.seq ?? NO_SEQ;
    c.receivedMs[i] = e.receivedAt.getTime();
    c.occupied[i] = e.occupied ? 1 : 0;
    c.heartbeat[i] = e.heartbeat ? 1 : 0;
    c.battery[i] = realOrNaN(e.battery);
    c.rssi[i] = realOrNaN(e.rssi);
    c.temperature[i] = realOrNaN(e.temperature);
    c.batteryLevel[i] = realOrNaN(e.batteryLevel);
    c.flags[i] = e.flags.length === 0 ? '{}' : `{${e.flags.join(',')}}`;
  }
  return c;
}

/** The buffers of the typed arrays, for `postMessage`'s transfer list (they are unusable here after). */
export function bayColumnBuffers(c: BayColumns): ArrayBuffer[] {
  return [c.tsMs, c.seq, c.receivedMs, c.occupied, c.heartbeat, c.battery, c.rssi, c.temperature, c.batteryLevel].map(
    (a) => a.buffer as ArrayBuffer,
  );
}

/** A PostgreSQL array literal of the numbers at `order` (NaN as NULL). */
export function numberArrayLiteral(values: ArrayLike<number>, order: readonly number[]): string {
  let out = '{';
  for (let i = 0; i < order.length; i++) {
    const v = values[order[i] as number] as number;
    if (i > 0) out += ',';
    out += Number.isNaN(v) ? 'NULL' : String(v);
  }
  return `${out}}`;
}

/** A PostgreSQL boolean array literal of the flags (0/1) at `order`. */
export function booleanArrayLiteral(values: Uint8Array, order: readonly number[]): string {
  let out = '{';
  for (let i = 0; i < order.length; i++) {
    if (i > 0) out += ',';
    out += values[order[i] as number] === 1 ? 't' : 'f';
  }
  return `${out}}`;
}
