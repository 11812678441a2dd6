import { z } from 'zod';

const isoTime = z.string().meta({ format: 'date-time' });

export const opsSourcesSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      format: z.string(),
      url: z.string().meta({ description: 'Origin and path only (a query may hold a secret).' }),
      pollIntervalSeconds: z.number(),
      staleAfterSeconds: z.number(),
      facilityIds: z.array(z.string()),
      stale: z.boolean().meta({ description: 'No successful answer within `staleAfterSeconds`: its facilities are unknown.' }),
      lastAttemptAt: isoTime.nullable(),
      lastSuccessAt: isoTime.nullable(),
      lastStatus: z.number().nullable().meta({ description: 'HTTP status of the last answer; null when none came.' }),
      lastError: z.string().nullable(),
    }),
  ),
  at: isoTime,
});
