import { keepOn304 } from '../middleware/not-modified.js';

/**
 * Security header fields of every answer: middleware/security-headers.ts sets them on what Hono
 * answers, and the prebuilt answers (answer.ts) carry them for the raw node path. Hono's
 * `secureHeaders()` defaults, with a cross-origin resource policy (public data, read from any origin).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=15552000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'SAMEORIGIN',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
};

/** Response headers public reads expose to other origins (public-api.ts gives them to `cors()`). */
export const EXPOSED_HEADERS = ['ETag', 'Last-Modified', 'Link', 'Retry-After', 'X-Request-Id'];

/** What `cors({ origin: '*', exposeHeaders: EXPOSED_HEADERS })` adds to a public read that is not a preflight. */
export const PUBLIC_CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(','),
};

/** Everything the middleware adds to a public read but `X-Request-Id`, as a flat name, value list. */
export const PUBLIC_READ_FLAT: readonly string[] = Object.entries({ ...SECURITY_HEADERS, ...PUBLIC_CORS_HEADERS }).flat();

/** What a 304 keeps of those (the CORS fields, see not-modified.ts). */
export const PUBLIC_304_FLAT: readonly string[] = Object.entries({ ...SECURITY_HEADERS, ...PUBLIC_CORS_HEADERS })
  .filter(([name, value]) => keepOn304(name, value, undefined))
  .flat();
