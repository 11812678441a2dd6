import { z } from 'zod';
import { checkSensorId, type DecodeResult, describeIssues, parseJsonPayload, settleEventTime } from './decode.js';
import { measurementSchema } from './measurement.js';
import type { SensorModel } from './sensor-model.js';
import { bestRssi, buildUplinkEvent, parseServerTime } from './uplink-event.js';

/** `application/{applicationId}/device/{devEui}/event/{up|status}` of ChirpStack v4. */
export const CHIRPSTACK_EVENT_TOPIC = /^application\/[^/]+\/device\/([^/]+)\/event\/(up|status)$/;

const deviceInfoSchema = z.object({ devEui: z.string().optional() }).optional();

const upSchema = z.object({
  time: z.string().optional(),
  deviceInfo: deviceInfoSchema,
  fCnt: z.number().int().min(0).max(0xffffffff).optional(),
  object: z.record(z.string(), z.unknown()).optional(),
  rxInfo: z.array(z.object({ rssi: z.number().optional() })).optional(),
});

const statusSchema = z.object({
  time: z.string().optional(),
  deviceInfo: deviceInfoSchema,
  margin: z.number().int().min(-64).max(64).optional(),
  externalPowerSource: z.boolean().optional(),
  batteryLevelUnavailable: z.boolean().optional(),
  batteryLevel: measurementSchema(0, 100).optional(),
});

/** Decodes ChirpStack v4 `up` (object → model fields, fCnt → seq, time → ts) and `status` (batteryLevel %, margin). */
export function decodeChirpstackEvent(
  topic: string,
  payload: Uint8Array,
  receivedAt: Date,
  modelOf: (sensorId: string) => SensorModel,
): DecodeResult {
  const match = CHIRPSTACK_EVENT_TOPIC.exec(topic);
  if (!match) return { ok: false, code: 'UNKNOWN_TOPIC', reason: `no decoder for topic "${topic.slice(0, 200)}"` };
  // DevEUIs are hex; the registry keeps them lower-case.
  const id = checkSensorId(match[1]?.toLowerCase());
  if (!id.ok) return id;
  const json = parseJsonPayload(payload);
  if (!json.ok) return json;
  const isUp = match[2] === 'up';
  const parsed = isUp ? upSchema.safeParse(json.json) : statusSchema.safeParse(json.json);
  if (!parsed.success) return { ok: false, code: 'INVALID_PAYLOAD', reason: describeIssues(parsed.error.issues) };
  const devEui = parsed.data.deviceInfo?.devEui?.toLowerCase();
  if (devEui !== undefined && devEui !== id.sensorId) {
    return { ok: false, code: 'DEVICE_MISMATCH', reason: `topic names device "${id.sensorId}", payload "${devEui.slice(0, 64)}"` };
  }
  const ts = parseServerTime(parsed.data.time);
  if (!('object' in parsed.data) && !isUp) {
    const s = parsed.data as z.infer<typeof statusSchema>;
    const known = !s.batteryLevelUnavailable && !s.externalPowerSource;
    return {
      ok: true,
      event: {
        kind: 'status',
        sensorId: id.sensorId,
        ...settleEventTime(ts, receivedAt),
        seq: null,
        receivedAt,
        battery: null,
        // ChirpStack leaves out zero values: an absent level with the level available means 0 %.
        batteryLevel: known ? (s.batteryLevel ?? 0) : null,
        rssi: null,
        margin: s.margin ?? 0,
      },
    };
  }
  const up = parsed.data as z.infer<typeof upSchema>;
  if (up.object === undefined || Object.keys(up.object).length === 0) {
    return { ok: false, code: 'NO_DECODED_PAYLOAD', reason: 'object is missing: configure a codec in the device profile' };
  }
  return buildUplinkEvent(
    { sensorId: id.sensorId, ts, seq: up.fCnt ?? 0, rssi: bestRssi((up.rxInfo ?? []).map((r) => r.rssi)), object: up.object },
    modelOf(id.sensorId),
    receivedAt,
  );
}
