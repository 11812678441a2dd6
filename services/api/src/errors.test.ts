import { describe, expect, it } from 'vitest';
import { ApiError, errorCodes, errorStatus } from './errors.js';

describe('ApiError', () => {
  it('maps every code to its HTTP status', () => {
    expect(Object.keys(errorStatus).sort()).toEqual([...errorCodes].sort());
    expect(errorStatus).toEqual({
      BAD_REQUEST: 400,
      UNAUTHORIZED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      METHOD_NOT_ALLOWED: 405,
      PAYLOAD_TOO_LARGE: 413,
      RATE_LIMITED: 429,
      INTERNAL: 500,
      NOT_READY: 503,
    });
    expect(new ApiError('RATE_LIMITED', 'slow down').status).toBe(429);
  });
});
