import { z } from 'zod';
import { slugSchema } from './slug.js';

/** Model ids: lower-case slugs. */
export const sensorModelIdSchema = slugSchema;

/** One decoded field or, for tolerant models, candidates tried in order (the first present wins). */
const fieldSchema = z.union([z.string().min(1).max(64), z.array(z.string().min(1).max(64)).min(1).max(10)]);
const scalarSchema = z.union([z.string().max(64), z.number(), z.boolean()]);

export const healthThresholdsSchema = z.strictObject({
  /** Below this battery voltage the sensor is `low_battery`. */
  lowBatteryVolts: z.number().min(0).max(100).default(3.3),
  /** Below this battery level (percent) the sensor is `low_battery`. */
  lowBatteryPercent: z.number().min(0).max(100).default(15),
  /** More occupancy changes than this within an hour make the sensor `flapping`. */
  maxChangesPerHour: z.number().int().min(1).max(10_000).default(12),
  /** Same state for longer than this is `stuck`; default depends on the facility kind. */
  stuckAfterHours: z
    .number()
    .min(1)
    .max(24 * 365)
    .optional(),
});
export type HealthThresholds = z.infer<typeof healthThresholdsSchema>;

export const sensorModelSchema = z.strictObject({
  id: sensorModelIdSchema,
  description: z.string().max(300).optional(),
  occupancy: z
    .strictObject({
      field: fieldSchema,
      occupiedValues: z.array(scalarSchema).min(1).default([true]),
      freeValues: z.array(scalarSchema).min(1).default([false]),
    })
    .optional(),
  battery: z.strictObject({ field: fieldSchema, unit: z.enum(['V', 'mV', '%']).default('V') }).optional(),
  temperature: z.strictObject({ field: fieldSchema }).optional(),
  heartbeat: z.strictObject({ field: fieldSchema }).optional(),
  health: healthThresholdsSchema.default(() => healthThresholdsSchema.parse({})),
});
export type SensorModel = z.infer<typeof sensorModelSchema>;
export type SensorModelInput = z.input<typeof sensorModelSchema>;

const builtinInputs: SensorModelInput[] = [
  { id: 'native', description: 'Freiplatz native payload (parking/v1/bays, parking/v1/counters)' },
  {
    id: 'generic',
    description: 'Tolerant mapping for LoRaWAN sensors without a model: common field names, booleans, 0/1 and words',
    occupancy: {
      field: ['occupied', 'occupancy', 'parking_status', 'parkingStatus', 'status', 'presence', 'car'],
      occupiedValues: [true, 1, 'occupied', 'OCCUPIED', 'busy', 'taken', 'car'],
      freeValues: [false, 0, 'free', 'FREE', 'vacant', 'empty', 'no_car'],
    },
    // A bare "battery" may be volts or percent: only unambiguous names are read without a model.
    battery: { field: ['battery_voltage', 'batteryVoltage', 'vbat'], unit: 'V' },
    temperature: { field: ['temperature', 'temp'] },
    heartbeat: { field: ['heartbeat', 'keepalive'] },
  },
  {
    id: 'occupied-voltage',
    description: 'Bay or pitch sensors decoding to {"occupied": bool, "battery_voltage": V, "temperature": °C}',
    occupancy: { field: 'occupied' },
    battery: { field: 'battery_voltage', unit: 'V' },
    temperature: { field: 'temperature' },
    heartbeat: { field: 'heartbeat' },
  },
  {
    id: 'parking-status',
    description: 'Sensors decoding to {"parking_status": "occupied"|"free" (or 1/0), "battery": %}',
    occupancy: { field: 'parking_status', occupiedValues: ['occupied', 1, true], freeValues: ['free', 0, false] },
    battery: { field: 'battery', unit: '%' },
    temperature: { field: 'temperature' },
    heartbeat: { field: 'heartbeat' },
  },
];

/** Models every installation knows; a registry may add more or override these by id. */
export const builtinSensorModels: ReadonlyMap<string, SensorModel> = new Map(
  builtinInputs.map((m) => [m.id, sensorModelSchema.parse(m)] as const),
);

/** The model used for LoRaWAN devices whose model is unknown. */
export const GENERIC_MODEL_ID = 'generic';

/** Picks a model by id from registry models first, then built-ins, else the generic one. */
export function resolveSensorModel(id: string | null | undefined, custom: ReadonlyMap<string, SensorModel> = new Map()): SensorModel {
  const found = (id ? (custom.get(id) ?? builtinSensorModels.get(id)) : undefined) ?? builtinSensorModels.get(GENERIC_MODEL_ID);
  if (!found) throw new Error('the generic sensor model is missing');
  return found;
}
