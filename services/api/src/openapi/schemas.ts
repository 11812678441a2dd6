import { facilityKinds, spotCategories } from '@freiplatz/domain';
import { z } from 'zod';
import { errorCodes } from '../errors.js';

/** An OpenAPI response with a JSON body of `schema`. */
export const jsonResponse = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

const counts = {
  capacity: z.int().min(0),
  free: z.int().min(0),
  occupied: z.int().min(0),
  unknown: z.int().min(0).meta({ description: 'Spots without fresh data; never counted as free.' }),
  closed: z.int().min(0).meta({ description: 'Spots closed by an operator. free + occupied + unknown + closed = capacity.' }),
};
const status = z.enum(['open', 'almost_full', 'full', 'closed', 'unknown']).meta({
  description:
    '`closed` outside the opening hours (evaluated in the facility’s time zone) or with every spot closed; `unknown` while fewer than `minKnownShare` (default 0.5) of the usable spots (capacity − closed) are known; else `full` (none free), `almost_full` (free at or below the almost-full threshold) or `open`. A category’s status follows the same rule from that category’s counts.',
});

export const facilityIdParamsSchema = z.object({
  id: z.string().meta({ description: 'Facility id (a lower-case slug).', example: 'petrifoerder' }),
});

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string(),
      requestId: z.string(),
    }),
  })
  .meta({ id: 'Error' });

export const availabilitySchema = z.object({ ...counts, status, updatedAt: z.iso.datetime() }).meta({ id: 'Availability' });

export const signageSchema = z
  .object({
    id: z.string(),
    category: z.enum(spotCategories).optional().meta({ description: 'The category asked for (only with `category`).' }),
    ...counts,
    status,
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'SignageAvailability' });

const location = z.object({ lat: z.number(), lon: z.number() });
const categoryCounts = z.object({ name: z.enum(spotCategories), ...counts, status });

export const facilitySummarySchema = z
  .object({
    distance: z.int().optional().meta({ description: 'Metres from `near` (only with `near`).' }),
    category: categoryCounts.optional().meta({
      description: 'Counts and status of the requested `category` (only with `category`; `availability` is then that category’s too).',
    }),
    id: z.string(),
    name: z.string(),
    kind: z.enum(facilityKinds),
    location,
    availability: availabilitySchema,
  })
  .meta({ id: 'FacilitySummary' });

export const facilityPageSchema = z.object({
  items: z.array(facilitySummarySchema),
  nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
});

export const geoJsonPageSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      id: z.string(),
      geometry: z.object({ type: z.literal('Point'), coordinates: z.tuple([z.number(), z.number()]) }),
      properties: z.record(z.string(), z.unknown()),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const openingHours = z
  .object({
    osm: z.string().meta({ description: 'OpenStreetMap opening_hours syntax.', example: 'Mo-Sa 07:00-22:00' }),
    timeZone: z.string().meta({ description: 'IANA time zone the hours are read in.', example: 'Europe/Berlin' }),
    openNow: z.boolean().nullable().meta({ description: 'Open by the hours at the last count; null when the hours do not say.' }),
    nextChange: z.iso.datetime().nullable().meta({ description: 'When `openNow` next changes; null when never.' }),
  })
  .nullable()
  .meta({ description: 'null when the facility has no opening hours (always open as far as known).' });

export const facilityDetailSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(facilityKinds),
    location,
    address: z.string().nullable(),
    openingHours,
    tags: z.array(z.string()),
    availability: availabilitySchema.extend({
      confidence: z.number().min(0).max(1).meta({ description: 'Share of usable spots with fresh sensor data.' }),
      minKnownShare: z
        .number()
        .min(0)
        .max(1)
        .meta({ description: 'Share of usable spots that must be known for a status other than `unknown`.' }),
      byCategory: z.partialRecord(z.enum(spotCategories), z.object({ ...counts, status })),
    }),
    amenities: z
      .partialRecord(z.enum(spotCategories), z.record(z.string(), z.int()))
      .meta({ description: 'Per category, how many spots offer each amenity (camper pitches: power, water, …).' }),
  })
  .meta({ id: 'FacilityDetail' });

export const spotsSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      category: z.enum(spotCategories),
      sensorId: z.string().nullable(),
      status: z.enum(['free', 'occupied', 'unknown', 'closed']),
      amenities: z.array(z.string()),
    }),
  ),
});

export const historySchema = z.object({
  id: z.string(),
  interval: z.enum(['15m', '1h', '1d']),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  items: z.array(
    z.object({
      start: z.iso.datetime(),
      capacity: z.int().nullable(),
      free: z.object({ avg: z.number(), min: z.int(), max: z.int() }).nullable(),
      occupiedAvg: z.number().nullable(),
      unknownAvg: z.number().nullable(),
      samples: z.int().meta({ description: 'State changes recorded in the interval.' }),
    }),
  ),
});

export const forecastSchema = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  capacity: z.int(),
  free: z.int().nullable().meta({ description: 'Expected free spaces; null when there is nothing to go on.' }),
  confidence: z.number().min(0).max(1),
  profileFree: z.number().nullable().meta({ description: 'Weighted mean of the same weekday and time in recent weeks.' }),
  weeksUsed: z.int(),
  presentWeight: z.number().meta({ description: 'Share of the present deviation from the profile carried into the forecast.' }),
  method: z.literal('weekly-profile-blend'),
});
