import { z } from 'zod';
import { checkSensorId, type DecodeResult, describeIssues, parseJsonPayload, settleEventTime } from './decode.js';
import { checkEventKind, EMPTY_DIRECTORY, resolveUplinkSensor, type SensorDirectory } from './decode-directory.js';
import { measurementSchema } from './measurement.js';
import { bestRssi, buildUplinkEvent, parseServerTime } from './uplink-event.js';

/** `application/{applicationId}/device/{devEui}/event/{up|status}` of ChirpStack v4. */
export const CHIRPSTACK_EVENT_TOPIC = /^application\/([^/]+)\/device\/([^/]+)\/event\/(up|status)$/;

const deviceInfoSchema = z
  .object({ devEui: z.string().optional(), applicationId: z.string().optional(), tenantId: z.string().optional() })
  .optional();

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

/**
 * Decodes ChirpStack v4 `up` (object → model fields, fCnt → seq, time → ts) and `status`
 * (batteryLevel %, margin) for the sensor bound to its application, tenant and DevEUI.
 */
export function decodeChirpstackEvent(
  topic: string,
  payload: Uint8Array,
  receivedAt: Date,
  directory: SensorDirectory = EMPTY_DIRECTORY,
): DecodeResult {
  const match = CHIRPSTACK_EVENT_TOPIC.exec(topic);
  if (!match) return { ok: false, code: 'UNKNOWN_TOPIC', reason: `no decoder for topic "${topic.slice(0, 200)}"` };
  // DevEUIs are hex; the registry keeps them lower-case.
  const id = checkSensorId(match[2]?.toLowerCase());
  if (!id.ok) return id;
  const json = parseJsonPayload(payload);
  if (!json.ok) return json;
  const isUp = match[3] === 'up';
  const parsed = isUp ? upSchema.safeParse(json.json) : statusSchema.safeParse(json.json);
  if (!parsed.success) return { ok: false, code: 'INVALID_PAYLOAD', reason: describeIssues(parsed.error.issues) };
  const devEui = parsed.data.deviceInfo?.devEui?.toLowerCase();
  if (devEui !== undefined && devEui !== id.sensorId) {
    return { ok: false, code: 'DEVICE_MISMATCH', reason: `topic names device "${id.sensorId}", payload "${devEui.slice(0, 64)}"` };
  }
  const application = match[1] as string;
  const info = parsed.data.deviceInfo;
  if (info?.applicationId !== undefined && info.applicationId !== application) {
    const named = info.applicationId.slice(0, 64);
    return { ok: false, code: 'DEVICE_MISMATCH', reason: `topic names application "${application.slice(0, 64)}", payload "${named}"` };
  }
  const bound = resolveUplinkSensor(directory, { network: 'chirpstack', application, tenant: info?.tenantId, deviceKey: id.sensorId });
  if (!bound.ok) return bound;
  const sensorId = bound.sensor.id;
  const ts = parseServerTime(parsed.data.time);
  if (!('object' in parsed.data) && !isUp) {
    const s = parsed.data as z.infer<typeof statusSchema>;
    const known = !s.batteryLevelUnavailable && !s.externalPowerSource;
    return {
      ok: true,
      event: {
        kind: 'status',
        sensorId,
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
  const built = buildUplinkEvent(
    { sensorId, ts, seq: up.fCnt ?? 0, rssi: bestRssi((up.rxInfo ?? []).map((r) => r.rssi)), object: up.object },
    bound.sensor.model,
    receivedAt,
  );
  return built.ok ? checkEventKind(bound.sensor, built.event) : built;
}
