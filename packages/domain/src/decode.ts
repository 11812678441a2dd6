import { bayPayloadSchema } from './bay-payload.schema.js';
import { counterPayloadSchema } from './counter-payload.schema.js';
import type { EventFlag, OccupancyEvent } from './event.js';
import { formatPath, sensorIdSchema } from './registry.schema.js';

export const MAX_PAYLOAD_BYTES = 4096;
/** A `ts` further than this ahead of receipt is a wrong device clock: the receipt time is used instead. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export const rejectCodes = [
  'UNKNOWN_TOPIC',
  'BAD_SENSOR_ID',
  'PAYLOAD_TOO_LARGE',
  'NOT_JSON',
  'INVALID_PAYLOAD',
  'NO_DECODED_PAYLOAD',
  'DEVICE_MISMATCH',
  // A network server's uplink for a device not registered (sensors[].lorawan).
  'UNKNOWN_DEVICE',
  // A topic that may not write this sensor: another network, application or tenant than the
  // sensor's LoRaWAN binding, a native sensor from a network server's topic, or the reverse.
  'BINDING_MISMATCH',
  // A reading that does not fit the sensor's kind (a counter message for a bay sensor, or the reverse).
  'WRONG_KIND',
  // Decoded, but the database refused the event (a value no check foresaw): kept as a dead letter
  // so that one message can never stall its batch.
  'STORE_FAILED',
] as const;
export type RejectCode = (typeof rejectCodes)[number];

export type Rejection = { ok: false; code: RejectCode; reason: string };
export type DecodeResult = { ok: true; event: OccupancyEvent } | Rejection;

const NATIVE_TOPIC = /^parking\/v1\/(bays|counters)\/([^/]+)$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Refuses a sensor id that would not fit the registry's id rules. */
export function checkSensorId(raw: string | undefined): { ok: true; sensorId: string } | Rejection {
  const parsed = sensorIdSchema.safeParse(raw);
  if (parsed.success) return { ok: true, sensorId: parsed.data };
  return { ok: false, code: 'BAD_SENSOR_ID', reason: `sensor id in topic ${parsed.error.issues[0]?.message ?? 'is invalid'}` };
}

/** Size-checks and parses a JSON payload. */
export function parseJsonPayload(payload: Uint8Array): { ok: true; json: unknown } | Rejection {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return { ok: false, code: 'PAYLOAD_TOO_LARGE', reason: `payload is ${payload.byteLength} bytes, at most ${MAX_PAYLOAD_BYTES} allowed` };
  }
  try {
    return { ok: true, json: JSON.parse(utf8.decode(payload)) };
  } catch (err) {
    return { ok: false, code: 'NOT_JSON', reason: `payload is not JSON: ${(err as Error).message.slice(0, 200)}` };
  }
}

/** Renders zod issues as one reason line. */
export function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .map((i) => `${formatPath(i.path)}: ${i.message}`)
    .join('; ')
    .slice(0, 500);
}

/** Event time and flags: receipt time when the device sent none, or when its clock runs more than 5 min ahead. */
export function settleEventTime(ts: Date | undefined, receivedAt: Date): { ts: Date; flags: EventFlag[] } {
  if (ts === undefined) return { ts: receivedAt, flags: ['no_ts'] };
  if (ts.getTime() - receivedAt.getTime() > MAX_CLOCK_SKEW_MS) return { ts: receivedAt, flags: ['clock_skew'] };
  return { ts, flags: [] };
}

/** Decodes one message on a native topic (bays, counters) into an event, or says exactly why not. */
export function decodeNativeMessage(topic: string, payload: Uint8Array, receivedAt: Date): DecodeResult {
  const match = NATIVE_TOPIC.exec(topic);
  if (!match) return { ok: false, code: 'UNKNOWN_TOPIC', reason: `no decoder for topic "${topic.slice(0, 200)}"` };
  const id = checkSensorId(match[2]);
  if (!id.ok) return id;
  const json = parseJsonPayload(payload);
  if (!json.ok) return json;
  if (match[1] === 'counters') {
    const parsed = counterPayloadSchema.safeParse(json.json);
    if (!parsed.success) return { ok: false, code: 'INVALID_PAYLOAD', reason: describeIssues(parsed.error.issues) };
    const p = parsed.data;
    return {
      ok: true,
      event: {
        kind: 'counter',
        sensorId: id.sensorId,
        ...settleEventTime(p.ts, receivedAt),
        seq: p.seq ?? null,
        receivedAt,
        vehicles: p.vehicles ?? null,
        entered: p.entered ?? null,
        exited: p.exited ?? null,
        battery: p.battery ?? null,
        rssi: p.rssi ?? null,
      },
    };
  }
  const parsed = bayPayloadSchema.safeParse(json.json);
  if (!parsed.success) return { ok: false, code: 'INVALID_PAYLOAD', reason: describeIssues(parsed.error.issues) };
  const p = parsed.data;
  return {
    ok: true,
    event: {
      kind: 'bay',
      sensorId: id.sensorId,
      ...settleEventTime(p.ts, receivedAt),
      seq: p.seq ?? null,
      receivedAt,
      occupied: p.occupied,
      battery: p.battery ?? null,
      rssi: p.rssi ?? null,
      heartbeat: p.heartbeat ?? false,
    },
  };
}
