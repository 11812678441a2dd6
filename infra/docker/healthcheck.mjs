// Container health check: GET HEALTHCHECK_URL (the API's /healthz, the ingest worker's /metrics), healthy on 200.
const url = process.env.HEALTHCHECK_URL ?? 'http://127.0.0.1:3000/healthz';
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  process.exit(res.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
