import { formatPath } from '@freiplatz/domain';
import { createRoute, OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { ValidationTargets } from 'hono';
import { ApiError } from '../../errors.js';
import type { OpsEnv } from '../../middleware/auth/ops-env.js';
import { OPS_SECURITY_SCHEME } from '../../openapi/ops.js';

/** Where the operator routes are mounted; their definitions' paths are relative to it. */
export const OPS_BASE_PATH = '/v1/ops';

/** An operator route: validated by the handler's app and documented in /openapi.json from this one definition. */
export const opsRoute = <R extends RouteConfig>(route: R) =>
  createRoute({ ...route, tags: ['Operator'], security: [{ [OPS_SECURITY_SCHEME]: [] }] });

/** A query parameter holding an integer within bounds, with the bounds in its 400. */
export const intParam = (min: number, max: number) => {
  const error = `must be an integer from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

/** What a validator hands its hook (any route's: the hook reads no data). */
type ValidationResult = { target: keyof ValidationTargets } & ({ success: true } | { success: false; error: z.ZodError });

/**
 * The validation hook of the operator routes: a bad query or path parameter is a 400 naming it
 * (`limit must be …`; `names` says what a path parameter is, e.g. `{ id: 'sensor id' }`), a bad
 * body a 400 with up to five issues and their paths (`names.body` says what the body is).
 */
export function badInput(names: Record<string, string> = {}): (result: ValidationResult) => undefined {
  return (result) => {
    if (result.success) return undefined;
    const { issues } = result.error;
    if (result.target === 'json') {
      const listed = issues.slice(0, 5).map((i) => `${formatPath(i.path)}: ${i.message}`);
      throw new ApiError('BAD_REQUEST', `invalid ${names.body ?? 'body'}: ${listed.join('; ')}`);
    }
    const name = String(issues[0]?.path[0] ?? result.target);
    throw new ApiError('BAD_REQUEST', `${names[name] ?? name} ${issues[0]?.message ?? 'is invalid'}`);
  };
}

/** An app for operator routes whose bad input answers in the one error shape. */
export const createOpsApp = () => new OpenAPIHono<OpsEnv>({ defaultHook: badInput() });
