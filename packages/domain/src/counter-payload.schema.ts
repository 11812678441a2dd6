import { z } from 'zod';
import { eventTimeSchema } from './bay-payload.schema.js';
import { measurementSchema } from './measurement.js';

const delta = z.number().int().min(0).max(100_000);

/**
 * The native counter payload of `parking/v1/counters/{sensorId}` (README.md, "MQTT topics and payloads"): an absolute
 * `vehicles` count, `entered`/`exited` deltas since the last message, or both (the absolute wins).
 * Impossible absolute counts (negative, above capacity) are accepted here and clamped per facility.
 */
export const counterPayloadSchema = z
  .object({
    vehicles: z.number().int().min(-1_000_000).max(1_000_000).optional(),
    entered: delta.optional(),
    exited: delta.optional(),
    ts: eventTimeSchema.optional(),
    seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    battery: measurementSchema(0, 100).optional(),
    rssi: measurementSchema(-200, 50).optional(),
  })
  .refine((p) => p.vehicles !== undefined || p.entered !== undefined || p.exited !== undefined, {
    message: 'needs vehicles, entered or exited',
  });
export type CounterPayload = z.infer<typeof counterPayloadSchema>;
