import type { RequestIdVariables } from 'hono/request-id';

/** The operator key a request was authenticated with (never the key itself). */
export interface AuthenticatedKey {
  id: string;
  name: string;
  scopes: readonly string[];
  /** null = every facility. */
  facilityIds: readonly string[] | null;
}

/** Hono environment of the operator routes. */
export interface OpsEnv {
  Variables: RequestIdVariables & { apiKey: AuthenticatedKey };
}
