import { z } from 'zod';
import { checkSensorId, type DecodeResult, describeIssues, parseJsonPayload } from './decode.js';
import { checkEventKind, EMPTY_DIRECTORY, resolveUplinkSensor, type SensorDirectory } from './decode-directory.js';
import { bestRssi, buildUplinkEvent, parseServerTime } from './uplink-event.js';

/** `v3/{application}@{tenant}/devices/{deviceId}/up` of The Things Stack v3 (`v3/{application}/…` without tenants). */
export const TTS_UPLINK_TOPIC = /^v3\/([^/@]+)(?:@([^/]*))?\/devices\/([^/]+)\/up$/;

// The Things Stack leaves out fields whose value is zero or empty, so almost everything is optional.
const ttsUplinkSchema = z.object({
  end_device_ids: z
    .object({
      device_id: z.string().optional(),
      dev_eui: z.string().optional(),
      application_ids: z.object({ application_id: z.string().optional() }).optional(),
    })
    .optional(),
  received_at: z.string().optional(),
  uplink_message: z.object({
    f_cnt: z.number().int().min(0).max(0xffffffff).optional(),
    decoded_payload: z.record(z.string(), z.unknown()).optional(),
    rx_metadata: z.array(z.object({ rssi: z.number().optional(), channel_rssi: z.number().optional() })).optional(),
    received_at: z.string().optional(),
  }),
});

/**
 * Decodes a TTS v3 uplink for the sensor bound to its application, tenant and device id:
 * `f_cnt` → seq, `received_at` → ts, best `rx_metadata[].rssi`.
 */
export function decodeTtsUplink(
  topic: string,
  payload: Uint8Array,
  receivedAt: Date,
  directory: SensorDirectory = EMPTY_DIRECTORY,
): DecodeResult {
  const match = TTS_UPLINK_TOPIC.exec(topic);
  if (!match) return { ok: false, code: 'UNKNOWN_TOPIC', reason: `no decoder for topic "${topic.slice(0, 200)}"` };
  const id = checkSensorId(match[3]);
  if (!id.ok) return id;
  const json = parseJsonPayload(payload);
  if (!json.ok) return json;
  const parsed = ttsUplinkSchema.safeParse(json.json);
  if (!parsed.success) return { ok: false, code: 'INVALID_PAYLOAD', reason: describeIssues(parsed.error.issues) };
  const up = parsed.data;
  const deviceId = up.end_device_ids?.device_id;
  if (deviceId !== undefined && deviceId !== id.sensorId) {
    return { ok: false, code: 'DEVICE_MISMATCH', reason: `topic names device "${id.sensorId}", payload "${deviceId.slice(0, 64)}"` };
  }
  const application = match[1] as string;
  const namedApplication = up.end_device_ids?.application_ids?.application_id;
  if (namedApplication !== undefined && namedApplication !== application) {
    const named = namedApplication.slice(0, 64);
    return { ok: false, code: 'DEVICE_MISMATCH', reason: `topic names application "${application.slice(0, 64)}", payload "${named}"` };
  }
  const decoded = up.uplink_message.decoded_payload;
  if (decoded === undefined || Object.keys(decoded).length === 0) {
    return { ok: false, code: 'NO_DECODED_PAYLOAD', reason: 'uplink_message.decoded_payload is missing: configure a payload formatter' };
  }
  const bound = resolveUplinkSensor(directory, {
    network: 'tts',
    application,
    tenant: match[2],
    deviceKey: id.sensorId,
  });
  if (!bound.ok) return bound;
  const rx = up.uplink_message.rx_metadata ?? [];
  const built = buildUplinkEvent(
    {
      sensorId: bound.sensor.id,
      ts: parseServerTime(up.received_at ?? up.uplink_message.received_at),
      // An absent f_cnt is TTS leaving out a zero.
      seq: up.uplink_message.f_cnt ?? 0,
      rssi: bestRssi(rx.map((r) => r.rssi ?? r.channel_rssi)),
      object: decoded,
    },
    bound.sensor.model,
    receivedAt,
  );
  return built.ok ? checkEventKind(bound.sensor, built.event) : built;
}
