import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../errors.js';
import type { ApiKeyScope } from './api-key.js';
import type { OpsEnv } from './ops-env.js';

/** Refuses (403) a key without `scope`. */
export function requireScope(scope: ApiKeyScope): MiddlewareHandler<OpsEnv> {
  return async (c, next) => {
    if (!c.get('apiKey').scopes.includes(scope)) throw new ApiError('FORBIDDEN', `this API key lacks the scope ${scope}`);
    await next();
  };
}

/** Refuses (403) a facility-scoped key on city-wide resources (dead letters, audit log). */
export function requireCityWideKey(): MiddlewareHandler<OpsEnv> {
  return async (c, next) => {
    if (c.get('apiKey').facilityIds !== null) throw new ApiError('FORBIDDEN', 'this resource needs a key for all facilities');
    await next();
  };
}
