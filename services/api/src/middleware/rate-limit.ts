import type { IncomingMessage } from 'node:http';
import { createAddressMatcher } from '@freiplatz/config';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';
import { ApiError, renderError } from '../errors.js';

export interface RateLimitOptions {
  /** Sustained requests per second per client; 0 turns the limit off. */
  ratePerSecond: number;
  /** Requests a client may make at once after being idle. */
  burst: number;
  /** Clients tracked at most; idle ones are forgotten first. Default 100,000. */
  maxClients?: number;
  /** Milliseconds clock, for tests. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Per-client token buckets: `take` spends one token, or returns the seconds to wait. */
export interface TokenBuckets {
  take(key: string): number;
}

/** The remote address of the socket (@hono/node-server passes the request as `env.incoming`). */
export const remoteAddress = (c: Context<AppEnv>): string =>
  (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress ?? 'unknown';

/**
 * The client key from a connection's peer address and its `X-Forwarded-For` header. Behind reverse
 * proxies listed in `trustedProxies` (addresses or CIDR ranges), that is the right-most address not
 * itself a trusted proxy (earlier entries can be forged); from anywhere else the header is ignored.
 * The public rate limit and the operators' failed-login limits both key on it.
 */
export function createForwardedKey(trustedProxies: readonly string[] = []): (peer: string, forwardedFor: string | undefined) => string {
  if (trustedProxies.length === 0) return (peer) => peer;
  const isTrusted = createAddressMatcher(trustedProxies);
  return (peer, forwardedFor) => {
    if (!isTrusted(peer)) return peer;
    const hops = (forwardedFor ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string;
      if (!isTrusted(hop)) return hop;
    }
    return peer;
  };
}

/** The client a Hono request comes from (see `createForwardedKey`). */
export function createClientKey(trustedProxies: readonly string[] = []): (c: Context<AppEnv>) => string {
  if (trustedProxies.length === 0) return remoteAddress;
  const key = createForwardedKey(trustedProxies);
  return (c) => key(remoteAddress(c), c.req.header('X-Forwarded-For'));
}

/** Creates in-memory token buckets per client, bounded in number. */
export function createTokenBuckets({ ratePerSecond, burst, maxClients = 100_000, now = Date.now }: RateLimitOptions): TokenBuckets {
  if (ratePerSecond <= 0) return { take: () => 0 };
  const perMs = ratePerSecond / 1000;
  const buckets = new Map<string, Bucket>();
  const forgetIdle = (t: number) => {
    for (const [key, b] of buckets) if (b.tokens + (t - b.at) * perMs >= burst) buckets.delete(key);
    if (buckets.size >= maxClients) buckets.clear();
  };
  return {
    take(key) {
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxClients) forgetIdle(t);
        b = { tokens: burst, at: t };
        buckets.set(key, b);
      } else {
        b.tokens = Math.min(burst, b.tokens + (t - b.at) * perMs);
        b.at = t;
      }
      if (b.tokens < 1) return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
      b.tokens -= 1;
      return 0;
    },
  };
}

/** Rate limit per client IP: over the limit → 429 with `Retry-After` in the one error shape. */
export function rateLimit(buckets: TokenBuckets, clientKey = remoteAddress): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const retryAfter = buckets.take(clientKey(c));
    if (retryAfter === 0) return next();
    return Promise.resolve(
      renderError(c, new ApiError('RATE_LIMITED', `too many requests; retry in ${retryAfter} s`), { 'Retry-After': String(retryAfter) }),
    );
  };
}
