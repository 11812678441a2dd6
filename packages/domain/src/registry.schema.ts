import { z } from 'zod';
import { DEFAULT_MIN_KNOWN_SHARE } from './availability.js';
import { checkOpeningHours, DEFAULT_TIME_ZONE, isTimeZone } from './opening-hours.js';
import { builtinSensorModels, sensorModelIdSchema, sensorModelSchema } from './sensor-model.js';
import { slugSchema } from './slug.js';
import { dataSourceSchema, openDataSchema, validateSources } from './sources/source.schema.js';

/** Sensor ids as they appear in MQTT topics. */
export const sensorIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 characters of A–Z, a–z, 0–9, _ . -');

export const facilityKinds = ['car_park', 'on_street', 'rv_site', 'park_and_ride'] as const;
export const facilityKindSchema = z.enum(facilityKinds);
export type FacilityKind = z.infer<typeof facilityKindSchema>;

export const spotCategories = ['standard', 'disabled', 'ev', 'camper', 'family', 'motorcycle', 'bus', 'truck'] as const;
export const spotCategorySchema = z.enum(spotCategories);
export type SpotCategory = z.infer<typeof spotCategorySchema>;

export const amenitySchema = z.enum(['power', 'water', 'dump_station', 'wifi', 'toilets', 'showers']);
export type Amenity = z.infer<typeof amenitySchema>;

export const locationSchema = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
export type Location = z.infer<typeof locationSchema>;

export const spotSchema = z.strictObject({
  id: slugSchema,
  category: spotCategorySchema.default('standard'),
  amenities: z.array(amenitySchema).default([]),
});
export type Spot = z.infer<typeof spotSchema>;

export const facilitySchema = z.strictObject({
  id: slugSchema,
  name: z.string().min(1).max(200),
  kind: facilityKindSchema,
  location: locationSchema,
  address: z.string().max(300).optional(),
  /** OSM opening_hours syntax, e.g. `Mo-Sa 07:00-22:00`; outside these hours the status is `closed`. */
  openingHours: z
    .string()
    .max(300)
    .superRefine((osm, ctx) => {
      const problem = checkOpeningHours(osm);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `not valid OSM opening_hours: ${problem}` });
    })
    .optional(),
  /** IANA time zone the opening hours are read in. */
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').default(DEFAULT_TIME_ZONE),
  /** Share of capacity at or below which the facility counts as almost full. */
  almostFullThreshold: z.number().min(0).max(1).default(0.1),
  /** Share of usable spots that must be known for a status other than `unknown`. */
  minKnownShare: z.number().min(0).max(1).default(DEFAULT_MIN_KNOWN_SHARE),
  tags: z.array(z.string().max(64)).default([]),
  spots: z.array(spotSchema).default([]),
  /** Capacity of a counted facility (entry/exit counters, no bay sensors); it then has no spots. */
  capacity: z.number().int().min(0).max(100_000).optional(),
});
export type Facility = z.infer<typeof facilitySchema>;

/** How often the sensor reports at least once, even without a change. */
const heartbeatSchema = z
  .number()
  .int()
  .min(10)
  .max(7 * 86_400)
  .default(600);

export const lorawanNetworks = ['tts', 'chirpstack'] as const;
export type LorawanNetwork = (typeof lorawanNetworks)[number];

/** An application, tenant or device id as it appears in one MQTT topic level of a network server. */
const topicLevelSchema = z.string().regex(/^[^/+#@\s]{1,128}$/, 'must be 1–128 characters without / + # @ or spaces');

/**
 * Where a LoRaWAN device lives at its network server. Its uplinks are taken only from its own
 * network's topics of this application (and tenant, when given): The Things Stack v3
 * `v3/{application}@{tenant}/devices/{deviceId}/up`, ChirpStack v4
 * `application/{application}/device/{devEui}/event/…` (the tenant from the payload's
 * `deviceInfo.tenantId`). `deviceId` (TTS) or `devEui` (ChirpStack) default to the sensor id.
 * A sensor with a binding is never written from a native topic, one without never from a network
 * server's.
 */
export const lorawanBindingSchema = z.strictObject({
  network: z.enum(lorawanNetworks),
  application: topicLevelSchema,
  tenant: topicLevelSchema.optional(),
  deviceId: sensorIdSchema.optional(),
  devEui: z
    .string()
    .regex(/^[0-9A-Fa-f]{16}$/, 'must be 16 hexadecimal digits')
    .transform((v) => v.toLowerCase())
    .optional(),
});
export type LorawanBinding = z.infer<typeof lorawanBindingSchema>;

/** The id a network server's topic names the device by: TTS device id, ChirpStack DevEUI (lower case). */
export function lorawanDeviceKey(sensorId: string, binding: LorawanBinding): string {
  return binding.network === 'tts' ? (binding.deviceId ?? sensorId) : (binding.devEui ?? sensorId.toLowerCase());
}

export const baySensorSchema = z.strictObject({
  id: sensorIdSchema,
  kind: z.literal('bay'),
  spotId: slugSchema,
  model: sensorModelIdSchema.default('native'),
  heartbeatIntervalSeconds: heartbeatSchema,
  lorawan: lorawanBindingSchema.optional(),
});
export type BaySensor = z.infer<typeof baySensorSchema>;

export const counterSensorSchema = z.strictObject({
  id: sensorIdSchema,
  kind: z.literal('counter'),
  /** The counted facility; several counters of one facility add up (e.g. two gates reporting deltas). */
  facilityId: slugSchema,
  model: sensorModelIdSchema.default('native'),
  heartbeatIntervalSeconds: heartbeatSchema,
  lorawan: lorawanBindingSchema.optional(),
});
export type CounterSensor = z.infer<typeof counterSensorSchema>;

export const sensorSchema = z.preprocess(
  (value) => (value !== null && typeof value === 'object' && !('kind' in value) ? { ...value, kind: 'bay' } : value),
  z.discriminatedUnion('kind', [baySensorSchema, counterSensorSchema]),
);
export type Sensor = z.infer<typeof sensorSchema>;

export const registrySchema = z
  .strictObject({
    version: z.literal(1),
    facilities: z.array(facilitySchema),
    sensorModels: z.array(sensorModelSchema).default([]),
    sensors: z.array(sensorSchema).default([]),
    /** Publisher, licence and attribution of the open-data exports (services/api/src/exports). */
    openData: openDataSchema.optional(),
    /** Existing guidance systems polled by the ingest service (services/ingest/src/sources). */
    sources: z.array(dataSourceSchema).default([]),
  })
  .superRefine((registry, ctx) => {
    const spotIds = new Map<string, string>();
    const facilityIds = new Set<string>();
    const counted = new Set<string>();
    registry.facilities.forEach((facility, f) => {
      if (facilityIds.has(facility.id)) {
        ctx.addIssue({ code: 'custom', path: ['facilities', f, 'id'], message: `duplicate facility id "${facility.id}"` });
      }
      facilityIds.add(facility.id);
      if (facility.capacity !== undefined) {
        counted.add(facility.id);
        if (facility.spots.length > 0) {
          ctx.addIssue({ code: 'custom', path: ['facilities', f, 'capacity'], message: 'a counted facility (capacity) has no spots' });
        }
      }
      facility.spots.forEach((spot, s) => {
        if (spotIds.has(spot.id)) {
          ctx.addIssue({ code: 'custom', path: ['facilities', f, 'spots', s, 'id'], message: `duplicate spot id "${spot.id}"` });
        }
        spotIds.set(spot.id, facility.id);
      });
    });
    const modelIds = new Set([...builtinSensorModels.keys()]);
    registry.sensorModels.forEach((model, i) => {
      if (modelIds.has(model.id) && !builtinSensorModels.has(model.id)) {
        ctx.addIssue({ code: 'custom', path: ['sensorModels', i, 'id'], message: `duplicate sensor model id "${model.id}"` });
      }
      modelIds.add(model.id);
    });
    const sensorIds = new Set<string>();
    const usedSpots = new Set<string>();
    const devices = new Set<string>();
    registry.sensors.forEach((sensor, i) => {
      if (sensorIds.has(sensor.id)) {
        ctx.addIssue({ code: 'custom', path: ['sensors', i, 'id'], message: `duplicate sensor id "${sensor.id}"` });
      }
      sensorIds.add(sensor.id);
      if (sensor.lorawan) {
        const b = sensor.lorawan;
        const key = lorawanDeviceKey(sensor.id, b);
        if (b.network === 'chirpstack' && !/^[0-9a-f]{16}$/.test(key)) {
          ctx.addIssue({ code: 'custom', path: ['sensors', i, 'lorawan', 'devEui'], message: 'a ChirpStack device needs its DevEUI' });
        }
        if ((b.network === 'tts' && b.devEui) || (b.network === 'chirpstack' && b.deviceId)) {
          const field = b.network === 'tts' ? 'devEui' : 'deviceId';
          ctx.addIssue({
            code: 'custom',
            path: ['sensors', i, 'lorawan', field],
            message: `${b.network} topics do not name a device by ${field}`,
          });
        }
        const device = `${b.network}\u0000${b.application}\u0000${key}`;
        if (devices.has(device)) {
          ctx.addIssue({
            code: 'custom',
            path: ['sensors', i, 'lorawan'],
            message: `${b.network} device "${key}" of "${b.application}" is bound twice`,
          });
        }
        devices.add(device);
      }
      if (!modelIds.has(sensor.model)) {
        ctx.addIssue({ code: 'custom', path: ['sensors', i, 'model'], message: `no sensor model "${sensor.model}"` });
      }
      if (sensor.kind === 'counter') {
        if (!counted.has(sensor.facilityId)) {
          ctx.addIssue({
            code: 'custom',
            path: ['sensors', i, 'facilityId'],
            message: `no counted facility "${sensor.facilityId}" (with capacity)`,
          });
        }
        return;
      }
      if (!spotIds.has(sensor.spotId)) {
        ctx.addIssue({ code: 'custom', path: ['sensors', i, 'spotId'], message: `no spot "${sensor.spotId}" in this registry` });
      } else if (usedSpots.has(sensor.spotId)) {
        ctx.addIssue({ code: 'custom', path: ['sensors', i, 'spotId'], message: `spot "${sensor.spotId}" already has a sensor` });
      }
      usedSpots.add(sensor.spotId);
    });
    validateSources(registry, counted, ctx);
  });
export type Registry = z.infer<typeof registrySchema>;

export type ParseRegistryResult = { ok: true; registry: Registry } | { ok: false; code: 'INVALID_REGISTRY'; issues: string[] };

/** Validates a registry document; each issue names the offending path, e.g. `facilities[2].spots[5].category`. */
export function parseRegistry(input: unknown): ParseRegistryResult {
  const result = registrySchema.safeParse(input);
  if (result.success) return { ok: true, registry: result.data };
  return { ok: false, code: 'INVALID_REGISTRY', issues: result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`) };
}

/** Renders a zod issue path as `a.b[2].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}
