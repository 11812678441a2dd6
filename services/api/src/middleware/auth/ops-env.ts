import type { ApiKeyRecord } from '@freiplatz/db';
import type { RequestIdVariables } from 'hono/request-id';

/** The operator key a request was authenticated with (never the key itself). */
export interface AuthenticatedKey {
  id: string;
  name: string;
  scopes: readonly string[];
  /** null = every facility. */
  facilityIds: readonly string[] | null;
}

/** What a request may know of a stored key: the one mapping for the bearer API and dashboard sessions. */
export const toAuthenticatedKey = (k: ApiKeyRecord): AuthenticatedKey => ({
  id: k.id,
  name: k.name,
  scopes: k.scopes,
  facilityIds: k.facilityIds,
});

/** Hono environment of the operator routes. */
export interface OpsEnv {
  Variables: RequestIdVariables & { apiKey: AuthenticatedKey };
}
