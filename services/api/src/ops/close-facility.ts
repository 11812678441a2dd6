import { type Db, findFacilitySpotIds, insertAuditEntries, setSpotsClosed } from '@freiplatz/db';
import { slugSchema } from '@freiplatz/domain';
import { canReachFacility, hasScope, lacksScope, type OperatorRefusal, type OperatorRequest } from './operator.js';

export interface ClosureInput {
  facilityId: string;
  closed: boolean;
  /** Spots to open or close; all of the facility when null. */
  spots: readonly string[] | null;
  reason?: string;
}

export type ClosureResult = { ok: true; changedSpots: string[] } | OperatorRefusal;

/**
 * Closes or reopens a facility (or some of its spots) for both doors, the bearer API and the
 * dashboard: the key needs `registry:write`, a facility outside its scope is answered as absent,
 * and the change is audited as `facility.close` or `facility.reopen`.
 */
export async function closeFacility(db: Db, req: OperatorRequest, input: ClosureInput): Promise<ClosureResult> {
  if (!hasScope(req.key, 'registry:write')) return lacksScope('registry:write');
  const { facilityId } = input;
  if (!slugSchema.safeParse(facilityId).success)
    return { ok: false, code: 'BAD_REQUEST', message: 'facility id must be a lower-case slug' };
  const known = canReachFacility(req.key, facilityId) ? await findFacilitySpotIds(db, facilityId) : new Set<string>();
  if (known.size === 0) return { ok: false, code: 'NOT_FOUND', message: `no facility "${facilityId}" with spots` };
  const unknown = (input.spots ?? []).filter((s) => !known.has(s));
  if (unknown.length > 0)
    return { ok: false, code: 'BAD_REQUEST', message: `not spots of ${facilityId}: ${unknown.slice(0, 10).join(', ')}` };
  const result = await setSpotsClosed(db, facilityId, input.closed, input.spots, req.now);
  await insertAuditEntries(
    db,
    [
      {
        action: input.closed ? 'facility.close' : 'facility.reopen',
        keyId: req.key.id,
        method: req.method,
        path: req.path,
        status: req.okStatus,
        facilityId,
        detail: { ...(input.reason !== undefined ? { reason: input.reason } : {}), spots: result.spots },
      },
    ],
    req.now,
  );
  return { ok: true, changedSpots: result.spots };
}
