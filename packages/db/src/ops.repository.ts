import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { notifyFacilityChanges } from './facility-notify.js';
import { refreshFacilityState } from './facility-recount.js';
import type { ChangedFacility } from './facility-state-write.js';

export interface RejectGroup {
  code: string;
  count: number;
  lastAt: Date;
  /** `payload`: the first 512 bytes, base64. */
  samples: { topic: string; payload: string; reason: string; receivedAt: Date }[];
}

/** Dead letters grouped by reason code, with the newest few of each. */
export async function listRejectGroups(db: Kysely<Database>, options: { since: Date; samplesPerCode: number }): Promise<RejectGroup[]> {
  const { rows } = await sql<{ code: string; count: number; last_at: Date; samples: RejectGroup['samples'] }>`
    SELECT g.code, g.count, g.last_at, coalesce(s.samples, '[]'::json) AS samples
    FROM (SELECT code, count(*)::int AS count, max(received_at) AS last_at FROM ingest_rejects
          WHERE received_at >= ${options.since} GROUP BY code) g
    CROSS JOIN LATERAL (
      SELECT json_agg(json_build_object('topic', r.topic, 'reason', r.reason, 'receivedAt', r.received_at,
        'payload', encode(substring(r.payload from 1 for 512), 'base64')) ORDER BY r.received_at DESC) AS samples
      FROM (SELECT * FROM ingest_rejects WHERE code = g.code AND received_at >= ${options.since}
            ORDER BY received_at DESC LIMIT ${options.samplesPerCode}) r
    ) s
    ORDER BY g.count DESC, g.code`.execute(db);
  return rows.map((r) => ({
    code: r.code,
    count: r.count,
    lastAt: r.last_at,
    samples: r.samples.map((s) => ({ ...s, receivedAt: new Date(s.receivedAt) })),
  }));
}

/** Counter clamps and state per counted facility. */
export async function listCounterClamps(db: Kysely<Database>, facilityIds: readonly string[] | null) {
  let q = db
    .selectFrom('facility_state')
    .innerJoin('facilities', 'facilities.id', 'facility_state.facility_id')
    .select(['facility_state.facility_id as facilityId', 'facility_state.vehicles', 'facility_state.vehicle_clamps as clamps'])
    .where('facilities.capacity', 'is not', null);
  if (facilityIds) q = q.where('facility_state.facility_id', 'in', facilityIds.length > 0 ? [...facilityIds] : ['']);
  return q.orderBy('facility_state.facility_id').execute();
}

/** Opens or closes spots of a facility (all of them without `spotIds`) and refreshes its state; returns the spots changed. */
export async function setSpotsClosed(
  db: Kysely<Database>,
  facilityId: string,
  closed: boolean,
  spotIds: readonly string[] | null,
  now: Date,
): Promise<{ spots: string[]; changed: ChangedFacility[] }> {
  return db.transaction().execute(async (trx) => {
    let q = trx.updateTable('spots').set({ closed }).where('facility_id', '=', facilityId).where('closed', '=', !closed);
    if (spotIds) q = q.where('id', 'in', spotIds.length > 0 ? [...spotIds] : ['']);
    const rows = await q.returning('id').execute();
    const changed = await refreshFacilityState(trx, [facilityId], now);
    await notifyFacilityChanges(trx, changed);
    return { spots: rows.map((r) => r.id), changed };
  });
}

/** Which of `spotIds` belong to the facility. */
export async function findFacilitySpotIds(db: Kysely<Database>, facilityId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('spots').select('id').where('facility_id', '=', facilityId).execute();
  return new Set(rows.map((r) => r.id));
}

/** True when a facility with this id is registered. */
export async function facilityExists(db: Kysely<Database>, facilityId: string): Promise<boolean> {
  return (await db.selectFrom('facilities').select('id').where('id', '=', facilityId).executeTakeFirst()) !== undefined;
}
