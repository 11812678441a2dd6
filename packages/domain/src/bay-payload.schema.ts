import { z } from 'zod';
import { measurementSchema } from './measurement.js';

/** Timestamps before this are treated as a device clock that was never set. */
const EARLIEST_TS = Date.UTC(2000, 0, 1);
const LATEST_TS = Date.UTC(2100, 0, 1);

// Epoch milliseconds first: what most devices send is then accepted by the first member tried (a
// union tries its members in order, and a member that fails builds its issues first).
export const eventTimeSchema = z.union([z.number().int(), z.iso.datetime({ offset: true })]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms) || ms < EARLIEST_TS || ms >= LATEST_TS) {
    ctx.addIssue({ code: 'custom', message: 'ts must be between 2000 and 2100' });
    return z.NEVER;
  }
  return new Date(ms);
});

/** The native bay payload of `parking/v1/bays/{sensorId}` (README.md, "MQTT topics and payloads"). Unknown fields are ignored. */
export const bayPayloadSchema = z.object({
  occupied: z.boolean(),
  ts: eventTimeSchema.optional(),
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  battery: measurementSchema(0, 100).optional(),
  rssi: measurementSchema(-200, 50).optional(),
  heartbeat: z.boolean().optional(),
});
export type BayPayload = z.infer<typeof bayPayloadSchema>;
