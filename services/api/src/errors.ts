import type { Logger } from '@freiplatz/config';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './app-env.js';

/** Every error code the API answers with. */
export const errorCodes = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'INTERNAL',
  'NOT_READY',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** HTTP status of each error code; `satisfies` keeps the map exhaustive. */
export const errorStatus = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  NOT_READY: 503,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

/** The one error body of the API. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string };
}

/** An expected failure with a code; its message is shown to the client, so it must not leak internals. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  get status(): ContentfulStatusCode {
    return errorStatus[this.code];
  }
}

/** Renders an `ApiError` in the one error shape. */
export function renderError(c: Context<AppEnv>, error: ApiError, headers?: Record<string, string>): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message, requestId: c.get('requestId') } };
  return c.json(body, error.status, headers);
}

const codeByStatus = new Map<number, ErrorCode>(Object.entries(errorStatus).map(([code, status]) => [status, code as ErrorCode]));

/** Maps hono's own exceptions (body limit, malformed input) onto our codes. */
function convertHttpException(err: HTTPException): ApiError {
  const code = codeByStatus.get(err.status) ?? (err.status < 500 ? 'BAD_REQUEST' : 'INTERNAL');
  return new ApiError(code, code === 'INTERNAL' ? 'internal error' : err.message || code.toLowerCase().replaceAll('_', ' '));
}

/** Creates the one `onError`: expected errors as they are, anything else logged and answered as INTERNAL. */
export function createErrorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    if (err instanceof ApiError) return renderError(c, err);
    if (err instanceof HTTPException && err.status < 500) return renderError(c, convertHttpException(err));
    logger.error({ err, requestId: c.get('requestId'), method: c.req.method, path: c.req.path }, 'request failed');
    return renderError(c, new ApiError('INTERNAL', 'internal error'));
  };
}

/** Answers unknown paths in the one error shape. */
export const handleNotFound: NotFoundHandler<AppEnv> = (c) => renderError(c, new ApiError('NOT_FOUND', 'no such resource'));
