import { bayPayloadSchema } from './bay-payload.schema.js';
import type { OccupancyEvent } from './event.js';
import { formatPath, sensorIdSchema } from './registry.schema.js';

export const MAX_PAYLOAD_BYTES = 4096;

export const rejectCodes = ['UNKNOWN_TOPIC', 'BAD_SENSOR_ID', 'PAYLOAD_TOO_LARGE', 'NOT_JSON', 'INVALID_PAYLOAD'] as const;
export type RejectCode = (typeof rejectCodes)[number];

export type DecodeResult = { ok: true; event: OccupancyEvent } | { ok: false; code: RejectCode; reason: string };

const BAY_TOPIC = /^parking\/v1\/bays\/([^/]+)$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes one message on a native topic into an event, or says exactly why not. */
export function decodeNativeMessage(topic: string, payload: Uint8Array, receivedAt: Date): DecodeResult {
  const match = BAY_TOPIC.exec(topic);
  if (!match) return { ok: false, code: 'UNKNOWN_TOPIC', reason: `no decoder for topic "${topic.slice(0, 200)}"` };
  const sensorId = sensorIdSchema.safeParse(match[1]);
  if (!sensorId.success) {
    return { ok: false, code: 'BAD_SENSOR_ID', reason: `sensor id in topic ${sensorId.error.issues[0]?.message ?? 'is invalid'}` };
  }
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return { ok: false, code: 'PAYLOAD_TOO_LARGE', reason: `payload is ${payload.byteLength} bytes, at most ${MAX_PAYLOAD_BYTES} allowed` };
  }
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(payload));
  } catch (err) {
    return { ok: false, code: 'NOT_JSON', reason: `payload is not JSON: ${(err as Error).message.slice(0, 200)}` };
  }
  const parsed = bayPayloadSchema.safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ');
    return { ok: false, code: 'INVALID_PAYLOAD', reason: reason.slice(0, 500) };
  }
  const p = parsed.data;
  return {
    ok: true,
    event: {
      kind: 'bay',
      sensorId: sensorId.data,
      ts: p.ts ?? receivedAt,
      seq: p.seq ?? null,
      receivedAt,
      occupied: p.occupied,
      battery: p.battery ?? null,
      rssi: p.rssi ?? null,
      heartbeat: p.heartbeat ?? false,
      flags: p.ts === undefined ? ['no_ts'] : [],
    },
  };
}
