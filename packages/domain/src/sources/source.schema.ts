import { z } from 'zod';
import { DEFAULT_STALE_FACTOR } from '../availability.js';

/** Facility and source ids (the registry's slug rule, repeated here: registry.schema.ts imports this file). */
const idSchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be a lower-case slug of 1–64 characters');

/** Feed formats a source may speak (parsers in this folder). */
export const sourceFormats = ['datex2-v3-status', 'datex2-v2-status', 'parkapi-v3'] as const;
export type SourceFormat = (typeof sourceFormats)[number];

/** Licence of the exports when the registry names none. */
export const DEFAULT_LICENCE = {
  id: 'dl-de/by-2-0',
  name: 'Datenlizenz Deutschland – Namensnennung – Version 2.0',
  url: 'https://www.govdata.de/dl-de/by-2-0',
} as const;

/** Who publishes the open-data exports, under which licence, with what attribution. */
export const openDataSchema = z.strictObject({
  /** The city (or body) that publishes, e.g. "Landeshauptstadt Magdeburg". */
  publisher: z.string().min(1).max(200),
  /** ISO 3166-1 alpha-2 country of the publisher (DATEX II publicationCreator). */
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .default('DE'),
  licence: z
    .strictObject({ id: z.string().min(1).max(100), name: z.string().min(1).max(200), url: z.url() })
    .default({ ...DEFAULT_LICENCE }),
  /** Attribution users must show; default "<publisher>, <licence name> (<licence url>)". */
  attribution: z.string().min(1).max(500).optional(),
});
export type OpenData = z.infer<typeof openDataSchema>;

/** Header name and the environment variable holding its value (never the secret itself). */
const authHeaderSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name'),
  valueEnv: z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'must be an environment variable name (A–Z, 0–9, _)'),
});

/** An existing guidance system polled for counts of counted facilities. */
export const dataSourceSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/, 'must be a lower-case slug of 1–32 characters'),
  url: z.url({ protocol: /^https?$/ }),
  format: z.enum(sourceFormats),
  pollIntervalSeconds: z.number().int().min(5).max(86_400).default(60),
  /** Counts older than this (by arrival) are unknown; default three poll intervals, at least 60 s. */
  staleAfterSeconds: z
    .number()
    .int()
    .min(15)
    .max(7 * 86_400)
    .optional(),
  /** Their site id → our counted facility. */
  idMap: z.record(z.string().min(1).max(256), idSchema),
  authHeader: authHeaderSchema.optional(),
});
export type DataSource = z.infer<typeof dataSourceSchema>;

/** Seconds after which a source's counts are stale. */
export function sourceStaleAfterSeconds(source: Pick<DataSource, 'pollIntervalSeconds' | 'staleAfterSeconds'>): number {
  return source.staleAfterSeconds ?? Math.max(60, 3 * source.pollIntervalSeconds);
}

/** Id of the synthetic counter through which a source feeds one facility (a colon: no MQTT topic can name it). */
export function sourceSensorId(sourceId: string, facilityId: string): string {
  return `source:${sourceId}:${facilityId}`;
}

/** True for a source's synthetic counter. */
export function isSourceSensorId(sensorId: string): boolean {
  return sensorId.startsWith('source:');
}

/** The synthetic counters of all sources, with a heartbeat that makes them stale after `staleAfterSeconds`. */
export function sourceCounterSensors(sources: readonly DataSource[]) {
  return sources.flatMap((source) =>
    [...new Set(Object.values(source.idMap))].map((facilityId) => ({
      id: sourceSensorId(source.id, facilityId),
      kind: 'counter' as const,
      facilityId,
      model: 'native',
      heartbeatIntervalSeconds: Math.max(1, Math.ceil(sourceStaleAfterSeconds(source) / DEFAULT_STALE_FACTOR)),
    })),
  );
}

interface SourcesContext {
  addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void;
}

/** Registry rules for sources: unique ids, targets are counted facilities fed by nothing else. */
export function validateSources(
  registry: { sources: readonly DataSource[]; sensors: readonly { kind: string; facilityId?: string }[] },
  counted: ReadonlySet<string>,
  ctx: SourcesContext,
): void {
  const ids = new Set<string>();
  const fed = new Map<string, string>();
  const countered = new Set(registry.sensors.flatMap((s) => (s.kind === 'counter' && s.facilityId ? [s.facilityId] : [])));
  registry.sources.forEach((source, i) => {
    if (ids.has(source.id)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'id'], message: `duplicate source id "${source.id}"` });
    ids.add(source.id);
    for (const [theirs, facilityId] of Object.entries(source.idMap)) {
      const path = ['sources', i, 'idMap', theirs];
      if (!counted.has(facilityId)) ctx.addIssue({ code: 'custom', path, message: `no counted facility "${facilityId}" (with capacity)` });
      else if (countered.has(facilityId)) ctx.addIssue({ code: 'custom', path, message: `facility "${facilityId}" has counter sensors` });
      const other = fed.get(facilityId);
      if (other !== undefined && other !== `${source.id}:${theirs}`) {
        ctx.addIssue({ code: 'custom', path, message: `facility "${facilityId}" is fed twice` });
      }
      fed.set(facilityId, `${source.id}:${theirs}`);
    }
  });
}

/** True when a source has not answered successfully within its stale limit (or never). */
export function isSourceStale(
  source: Pick<DataSource, 'pollIntervalSeconds' | 'staleAfterSeconds'>,
  lastSuccessAt: Date | null,
  now: Date,
): boolean {
  return lastSuccessAt === null || now.getTime() - lastSuccessAt.getTime() > sourceStaleAfterSeconds(source) * 1000;
}
