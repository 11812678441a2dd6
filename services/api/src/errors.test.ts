import { createSilentLogger, type Logger } from '@freiplatz/config';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from './app-env.js';
import { ApiError, createErrorHandler, errorCodes, errorStatus } from './errors.js';

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

describe('createErrorHandler', () => {
  it('renders unexpected failures as INTERNAL without internals, and logs them under err', async () => {
    const logged: { obj: unknown; msg: unknown }[] = [];
    const logger = createSilentLogger();
    logger.error = ((obj: unknown, msg?: unknown) => logged.push({ obj, msg })) as Logger['error'];
    const app = new Hono<AppEnv>();
    app.use(requestId());
    app.get('/boom', () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432 select secret');
    });
    app.onError(createErrorHandler(logger));
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: 'internal error', requestId: expect.any(String) } });
    expect(text).not.toMatch(/ECONNREFUSED|select|secret/i);
    expect(logged).toEqual([{ obj: expect.objectContaining({ err: expect.any(Error) }), msg: 'request failed' }]);
  });
});
