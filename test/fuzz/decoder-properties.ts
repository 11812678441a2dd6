import { type DecodeResult, type OccupancyEvent, rejectCodes } from '@freiplatz/domain';
import fc from 'fast-check';
import { directoryOfArb, type FuzzDecoder, topicArb } from './decoders.js';
import { payloadArb, receivedAtArb } from './payloads.js';

const SENSOR_ID = /^[A-Za-z0-9_.-]{1,64}$/;
// PostgreSQL's timestamptz starts at 4713 BC; JavaScript dates reach further back.
const PG_MIN_TS = Date.UTC(-4712, 0, 1);
const PG_MAX_TS = Date.UTC(294_276, 0, 1);
const INT4 = 2 ** 31 - 1;
const FLOAT4_MAX = 3.4e38;
// Non-zero values closer to zero than this underflow PostgreSQL's real: the insert fails.
const FLOAT4_MIN_NORMAL = 1.175494e-38;

function fail(message: string): never {
  throw new Error(message);
}

const realOrNull = (name: string, v: number | null | undefined) => {
  if (v != null && !(Number.isFinite(v) && Math.abs(v) <= FLOAT4_MAX && (v === 0 || Math.abs(v) >= FLOAT4_MIN_NORMAL))) {
    fail(`${name} ${v} does not fit a real column`);
  }
};
const intOrNull = (name: string, v: number | null | undefined, max: number) => {
  if (v != null && !(Number.isInteger(v) && Math.abs(v) <= max)) fail(`${name} ${v} does not fit its integer column`);
};
const validDate = (name: string, d: Date) => {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) fail(`${name} is not a valid date`);
  if (d.getTime() < PG_MIN_TS || d.getTime() >= PG_MAX_TS) fail(`${name} ${d.toISOString()} is outside PostgreSQL's timestamptz range`);
};

/** An accepted event must be storable: every value fits its column, so it can never poison a batch. */
export function checkStorableEvent(event: OccupancyEvent): void {
  if (!SENSOR_ID.test(event.sensorId)) fail(`sensorId ${JSON.stringify(event.sensorId)} breaks the id rules`);
  validDate('ts', event.ts);
  validDate('receivedAt', event.receivedAt);
  if (event.seq !== null && !(Number.isSafeInteger(event.seq) && event.seq >= 0)) fail(`seq ${event.seq} is not a non-negative integer`);
  realOrNull('battery', event.battery);
  realOrNull('batteryLevel', event.batteryLevel);
  realOrNull('rssi', event.rssi);
  realOrNull('temperature', event.temperature);
  if (event.kind === 'bay' && (typeof event.occupied !== 'boolean' || typeof event.heartbeat !== 'boolean')) fail('bay flags not boolean');
  if (event.kind === 'counter') {
    intOrNull('vehicles', event.vehicles, INT4);
    intOrNull('entered', event.entered, INT4);
    intOrNull('exited', event.exited, INT4);
  }
  if (event.kind === 'status') intOrNull('margin', event.margin, 32_767);
}

/** The decoder contract: a result, never a throw; accepted → storable event; rejected → a known code and a reason. */
export function checkDecodeResult(result: DecodeResult): void {
  if (result.ok) {
    checkStorableEvent(result.event);
    return;
  }
  if (!(rejectCodes as readonly string[]).includes(result.code)) fail(`unknown reject code ${result.code}`);
  if (typeof result.reason !== 'string' || result.reason.length === 0) fail('rejected without a reason');
  if (result.reason.length > 1000) fail(`reason of ${result.reason.length} characters`);
}

export interface FuzzTally {
  runs: number;
  accepted: number;
  rejected: Record<string, number>;
}

/** Runs `numRuns` generated messages through one decoder and checks the contract on each. */
export function fuzzDecoder(decoder: FuzzDecoder, numRuns: number, seed?: number): FuzzTally {
  const tally: FuzzTally = { runs: 0, accepted: 0, rejected: {} };
  fc.assert(
    fc.property(topicArb(decoder), payloadArb, receivedAtArb, directoryOfArb, (topic, payload, receivedAt, directoryOf) => {
      const result = decoder.decode(topic, payload, receivedAt, directoryOf(topic));
      checkDecodeResult(result);
      tally.runs++;
      if (result.ok) tally.accepted++;
      else tally.rejected[result.code] = (tally.rejected[result.code] ?? 0) + 1;
    }),
    { numRuns, ...(seed !== undefined ? { seed } : {}) },
  );
  return tally;
}
