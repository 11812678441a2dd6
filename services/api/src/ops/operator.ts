import type { ApiKeyScope } from '../middleware/auth/api-key.js';
import type { AuthenticatedKey } from '../middleware/auth/ops-env.js';

/** Where an operator action came from, for the audit log (the bearer API's route, or a dashboard form). */
export interface OperatorRequest {
  key: AuthenticatedKey;
  method: string;
  path: string;
  /** The status the door answers with when the action succeeds. */
  okStatus: number;
  now: Date;
}

/** Expected refusals of an operator action; each door renders them its own way. */
export type OperatorRefusal =
  | { ok: false; code: 'FORBIDDEN'; message: string }
  | { ok: false; code: 'NOT_FOUND'; message: string }
  | { ok: false; code: 'BAD_REQUEST'; message: string };

/** True when the key carries the scope: the one scope check of both doors (bearer API and dashboard). */
export function hasScope(key: Pick<AuthenticatedKey, 'scopes'>, scope: ApiKeyScope): boolean {
  return key.scopes.includes(scope);
}

/** True for a key of every facility (city-wide resources: dead letters, the audit log). */
export function isCityWide(key: Pick<AuthenticatedKey, 'facilityIds'>): boolean {
  return key.facilityIds === null;
}

/** True when the key may see and act on the facility (null = no facility: only city-wide keys). */
export function canReachFacility(key: Pick<AuthenticatedKey, 'facilityIds'>, facilityId: string | null): boolean {
  return isCityWide(key) || (facilityId !== null && key.facilityIds?.includes(facilityId) === true);
}

/** The refusal of a key without a scope. */
export function lacksScope(scope: ApiKeyScope): OperatorRefusal {
  return { ok: false, code: 'FORBIDDEN', message: `this API key lacks the scope ${scope}` };
}
