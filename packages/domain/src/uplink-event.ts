import { eventTimeSchema } from './bay-payload.schema.js';
import { type DecodeResult, settleEventTime } from './decode.js';
import { roundMeasurement } from './measurement.js';
import { mapDecodedFields } from './model-mapping.js';
import type { SensorModel } from './sensor-model.js';

/** What a network server's uplink says, before a sensor model interprets the decoded object. */
export interface Uplink {
  sensorId: string;
  ts: Date | undefined;
  seq: number | null;
  rssi: number | null;
  object: Record<string, unknown>;
}

/** Parses a network server timestamp (RFC 3339, any fraction of a second); undefined when absent or out of range. */
export function parseServerTime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = eventTimeSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Best signal of all gateways that heard the uplink. */
export function bestRssi(values: ReadonlyArray<number | undefined>): number | null {
  const known = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= -200 && v <= 50);
  return known.length === 0 ? null : roundMeasurement(Math.max(...known));
}

/** Turns an uplink into a bay event (or a status event when it carries no occupancy) with the sensor's model. */
export function buildUplinkEvent(uplink: Uplink, model: SensorModel, receivedAt: Date): DecodeResult {
  const mapped = mapDecodedFields(model, uplink.object);
  if (!mapped.ok) return { ok: false, code: 'INVALID_PAYLOAD', reason: `model ${model.id}: ${mapped.reason}` };
  const base = {
    sensorId: uplink.sensorId,
    ...settleEventTime(uplink.ts, receivedAt),
    seq: uplink.seq,
    receivedAt,
    battery: mapped.battery,
    batteryLevel: mapped.batteryLevel,
    rssi: uplink.rssi,
    temperature: mapped.temperature,
  };
  if (mapped.occupied !== null)
    return { ok: true, event: { kind: 'bay', ...base, occupied: mapped.occupied, heartbeat: mapped.heartbeat } };
  if (mapped.battery === null && mapped.batteryLevel === null && mapped.temperature === null && !mapped.heartbeat) {
    const fields = Object.keys(uplink.object).slice(0, 10).join(', ') || 'none';
    return { ok: false, code: 'INVALID_PAYLOAD', reason: `model ${model.id}: no known field in the decoded payload (fields: ${fields})` };
  }
  return { ok: true, event: { kind: 'status', ...base, margin: null } };
}
