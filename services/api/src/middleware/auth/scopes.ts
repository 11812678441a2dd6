import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../errors.js';
import { hasScope, isCityWide, lacksScope } from '../../ops/operator.js';
import type { ApiKeyScope } from './api-key.js';
import type { OpsEnv } from './ops-env.js';

/** Refuses (403) a key without `scope`. */
export function requireScope(scope: ApiKeyScope): MiddlewareHandler<OpsEnv> {
  return async (c, next) => {
    if (!hasScope(c.get('apiKey'), scope)) throw new ApiError('FORBIDDEN', lacksScope(scope).message);
    await next();
  };
}

/** Refuses (403) a facility-scoped key on city-wide resources (dead letters, audit log). */
export function requireCityWideKey(): MiddlewareHandler<OpsEnv> {
  return async (c, next) => {
    if (!isCityWide(c.get('apiKey'))) throw new ApiError('FORBIDDEN', 'this resource needs a key for all facilities');
    await next();
  };
}
