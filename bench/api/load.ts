import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  statusCounts: Record<string, number>;
  errors: number;
}

export interface LoadSpec {
  url: string;
  /** Cycled in order by each connection. */
  requests?: Array<{ path: string; headers?: Record<string, string> }>;
  seconds: number;
  connections?: number;
}

/** Runs autocannon (bounded by time) against 127.0.0.1. */
export async function runLoad({ url, requests, seconds, connections = 50 }: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    ...(requests
      ? { requests: requests.map((r) => ({ method: 'GET' as const, path: r.path, ...(r.headers ? { headers: r.headers } : {}) })) }
      : {}),
  });
  const statusCounts: Record<string, number> = {};
  for (const key of ['1xx', '2xx', '3xx', '4xx', '5xx'] as const) statusCounts[key] = result[key];
  return {
    rps: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    statusCounts,
    errors: result.errors + result.timeouts,
  };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
