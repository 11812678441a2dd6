/** Counts failed authentications per client in a sliding window. */
export interface FailureLimiter {
  /** True while the client is over the limit. */
  isBlocked(client: string, nowMs: number): boolean;
  /** Notes a failure; returns the seconds until the client may retry once it is blocked. */
  recordFailure(client: string, nowMs: number): void;
  retryAfterSeconds(client: string, nowMs: number): number;
  /** Takes back one failure recorded at `atMs` (an attempt counted before its check, which then succeeded). */
  forgive(client: string, atMs: number): void;
}

const MAX_CLIENTS = 10_000;

/** At most `limit` failed attempts per client within `windowMs`; memory bounded by dropping the oldest clients. */
export function createFailureLimiter(options: { limit: number; windowMs: number }): FailureLimiter {
  const failures = new Map<string, number[]>();
  const recent = (client: string, nowMs: number) => {
    const list = (failures.get(client) ?? []).filter((t) => nowMs - t < options.windowMs);
    if (list.length === 0) failures.delete(client);
    else failures.set(client, list);
    return list;
  };
  return {
    isBlocked: (client, nowMs) => recent(client, nowMs).length >= options.limit,
    recordFailure(client, nowMs) {
      const list = recent(client, nowMs);
      list.push(nowMs);
      failures.delete(client);
      failures.set(client, list);
      if (failures.size > MAX_CLIENTS) failures.delete(failures.keys().next().value as string);
    },
    forgive(client, atMs) {
      const list = failures.get(client);
      const i = list ? list.lastIndexOf(atMs) : -1;
      if (!list || i < 0) return;
      list.splice(i, 1);
      if (list.length === 0) failures.delete(client);
    },
    retryAfterSeconds(client, nowMs) {
      const oldest = recent(client, nowMs)[0];
      return oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + options.windowMs - nowMs) / 1000));
    },
  };
}
