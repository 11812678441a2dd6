import { roundMeasurement, TEMPERATURE_RANGE } from './measurement.js';
import { builtinSensorModels, GENERIC_MODEL_ID, type SensorModel } from './sensor-model.js';

/** What a decoded LoRaWAN object says once a sensor model has mapped its fields. */
export interface MappedFields {
  /** null when the object carries no occupancy (e.g. a battery-only report). */
  occupied: boolean | null;
  battery: number | null;
  batteryLevel: number | null;
  temperature: number | null;
  heartbeat: boolean;
}

export type MapFieldsResult = ({ ok: true } & MappedFields) | { ok: false; reason: string };

type Field = string | readonly string[];

function pick(object: Record<string, unknown>, field: Field): { name: string; value: unknown } | undefined {
  for (const name of typeof field === 'string' ? [field] : field) {
    if (Object.hasOwn(object, name) && object[name] !== null && object[name] !== undefined) return { name, value: object[name] };
  }
  return undefined;
}

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Maps a decoded payload onto occupancy, battery, temperature and heartbeat with a sensor model.
 * A model without an occupancy mapping uses the generic field names. Absent fields stay null
 * (network servers leave out zero or empty values); a value the model cannot place is refused.
 */
export function mapDecodedFields(model: SensorModel, object: Record<string, unknown>): MapFieldsResult {
  const generic = builtinSensorModels.get(GENERIC_MODEL_ID);
  const m = model.occupancy ? model : { ...model, ...generic, health: model.health };
  let occupied: boolean | null = null;
  if (m.occupancy) {
    const hit = pick(object, m.occupancy.field);
    if (hit) {
      const value = hit.value;
      if (m.occupancy.occupiedValues.some((v) => v === value)) occupied = true;
      else if (m.occupancy.freeValues.some((v) => v === value)) occupied = false;
      else return { ok: false, reason: `${hit.name}: value ${JSON.stringify(value)?.slice(0, 40)} means neither occupied nor free` };
    }
  }
  let battery: number | null = null;
  let batteryLevel: number | null = null;
  if (m.battery) {
    const hit = pick(object, m.battery.field);
    const value = finite(hit?.value);
    if (hit && value === null) return { ok: false, reason: `${hit.name}: battery must be a number` };
    if (value !== null) {
      if (m.battery.unit === '%') batteryLevel = value;
      else battery = m.battery.unit === 'mV' ? value / 1000 : value;
    }
  }
  const temperatureHit = m.temperature ? pick(object, m.temperature.field) : undefined;
  const temperature = finite(temperatureHit?.value);
  if (temperatureHit && temperature === null) return { ok: false, reason: `${temperatureHit.name}: temperature must be a number` };
  const heartbeatHit = m.heartbeat ? pick(object, m.heartbeat.field) : undefined;
  const heartbeat = heartbeatHit?.value === true || heartbeatHit?.value === 1;
  if (battery !== null && (battery < 0 || battery > 100)) return { ok: false, reason: 'battery voltage out of range 0–100 V' };
  if (batteryLevel !== null && (batteryLevel < 0 || batteryLevel > 100)) return { ok: false, reason: 'battery level out of range 0–100 %' };
  if (temperature !== null && (temperature < TEMPERATURE_RANGE.min || temperature > TEMPERATURE_RANGE.max)) {
    return { ok: false, reason: `temperature out of range ${TEMPERATURE_RANGE.min}–${TEMPERATURE_RANGE.max} °C` };
  }
  const round = (v: number | null) => (v === null ? null : roundMeasurement(v));
  return { ok: true, occupied, battery: round(battery), batteryLevel: round(batteryLevel), temperature: round(temperature), heartbeat };
}
