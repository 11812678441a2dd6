// The `facility_state` NOTIFY wire format, both ways: committed changes are encoded into payloads
// under PostgreSQL's size limit and queued in the committing transaction; listeners
// (facility-state-listener.ts) parse them back.
import type { CategoryAvailability, Counts, FacilityStatus, SpotCategory } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import type { FacilityStateRecord } from './facilities.repository.js';
import type { ChangedFacility } from './facility-state-write.js';
import { textArray } from './pg-encoding.js';

/** Channel on which committed facility-state changes are announced. */
export const FACILITY_STATE_CHANNEL = 'facility_state';

/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes and more. */
export const NOTIFY_MAX_BYTES = 7_000;

/**
 * One change as announced: `[facilityId, version]`, or `[facilityId, version, state]` with the state
 * as committed (`updatedAt` in epoch milliseconds), which listeners can apply without a read.
 */
export type FacilityStatePayloadEntry =
  | [string, number]
  | [string, number, Omit<FacilityStateRecord, 'updatedAt' | 'hoursChangeAt'> & { updatedAt: number; hoursChangeAt: number | null }];

/** The payloads announcing `changed`, in order, each a JSON array of entries under `NOTIFY_MAX_BYTES`. */
export function encodeFacilityChanges(changed: readonly ChangedFacility[]): string[] {
  const payloads: string[] = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const c of changed) {
    const entry: FacilityStatePayloadEntry = c.state
      ? [
          c.facilityId,
          c.version,
          { ...c.state, updatedAt: c.state.updatedAt.getTime(), hoursChangeAt: c.state.hoursChangeAt?.getTime() ?? null },
        ]
      : [c.facilityId, c.version];
    const part = JSON.stringify(entry);
    const size = Buffer.byteLength(part) + 1;
    if (parts.length > 0 && bytes + size > NOTIFY_MAX_BYTES) {
      payloads.push(`[${parts.join(',')}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(part);
    bytes += size;
  }
  if (parts.length > 0) payloads.push(`[${parts.join(',')}]`);
  return payloads;
}

/**
 * Queues NOTIFYs for changed facilities (`encodeFacilityChanges`), all in one statement;
 * PostgreSQL delivers them only if the transaction commits.
 */
export async function notifyFacilityChanges(trx: Kysely<Database>, changed: readonly ChangedFacility[]): Promise<void> {
  if (changed.length === 0) return;
  const payloads = encodeFacilityChanges(changed);
  await sql`SELECT pg_notify(${FACILITY_STATE_CHANNEL}, p) FROM unnest(${textArray(payloads)}::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n`.execute(
    trx,
  );
}

const COUNT_FIELDS = ['capacity', 'free', 'occupied', 'unknown', 'closed'] as const;
const isCounts = (x: unknown): x is Counts =>
  typeof x === 'object' && x !== null && COUNT_FIELDS.every((k) => Number.isInteger((x as Record<string, unknown>)[k]));

/** The committed state announced with a change, or undefined when absent or malformed (the reader then reads it back). */
function parseState(x: unknown, version: number): FacilityStateRecord | undefined {
  if (!isCounts(x)) return undefined;
  const s = x as unknown as Record<string, unknown>;
  const byCategory = s.byCategory;
  if (typeof s.status !== 'string' || !FACILITY_STATUSES.has(s.status) || typeof s.confidence !== 'number') return undefined;
  if (typeof s.updatedAt !== 'number' || typeof byCategory !== 'object' || byCategory === null) return undefined;
  if (!Object.values(byCategory).every(isCounts)) return undefined;
  const openNow = s.openNow ?? null;
  const hoursChangeAt = s.hoursChangeAt ?? null;
  if ((openNow !== null && typeof openNow !== 'boolean') || (hoursChangeAt !== null && typeof hoursChangeAt !== 'number')) return undefined;
  return {
    capacity: x.capacity,
    free: x.free,
    occupied: x.occupied,
    unknown: x.unknown,
    closed: x.closed,
    status: s.status as FacilityStatus,
    confidence: s.confidence,
    byCategory: byCategory as Partial<Record<SpotCategory, CategoryAvailability>>,
    openNow,
    hoursChangeAt: hoursChangeAt === null ? null : new Date(hoursChangeAt),
    version,
    updatedAt: new Date(s.updatedAt),
  };
}

const FACILITY_STATUSES = new Set<string>(['open', 'almost_full', 'full', 'closed', 'unknown']);

/**
 * Parses a `facility_state` payload: a JSON array of `[facilityId, version]` or
 * `[facilityId, version, state]` (see `encodeFacilityChanges`); bad entries are left out.
 */
export function parseFacilityStatePayload(payload: string | undefined): ChangedFacility[] {
  try {
    const parsed: unknown = JSON.parse(payload ?? '');
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((p): ChangedFacility[] => {
      if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'number') return [];
      const state = parseState(p[2], p[1]);
      return [state ? { facilityId: p[0], version: p[1], state } : { facilityId: p[0], version: p[1] }];
    });
  } catch {
    return [];
  }
}
