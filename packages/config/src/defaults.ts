/**
 * Defaults written once: the environment (env.ts) and the services' options, when a caller such as
 * a test leaves one out, both fall back to these.
 */

/** Where servers listen unless told otherwise (HOST, INGEST_METRICS_HOST): loopback only. */
export const DEFAULT_HOST = '127.0.0.1';

/** OpenStreetMap's standard tiles (fair use; set your own tile server for production). */
export const DEFAULT_MAP = {
  tileUrl: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  attribution: '© OpenStreetMap contributors',
} as const;

/** Per client IP: 50 requests/s sustained, bursts of 200 (hundreds of signs behind one NAT poll every few seconds). */
export const DEFAULT_RATE_LIMIT = { ratePerSecond: 50, burst: 200 } as const;

/** Server-sent event streams one client may hold open at once. */
export const DEFAULT_STREAM_MAX_PER_CLIENT = 10;

/** Batches committed at the same time (parts of a large batch, split by sensor). */
export const DEFAULT_COMMIT_CONCURRENCY = 2;

/** Payload bytes of one batch at most. */
export const DEFAULT_BATCH_MAX_BYTES = 4 * 1024 * 1024;

/** Payload bytes read and not yet acknowledged before reading pauses. */
export const DEFAULT_MAX_UNACKED_BYTES = 16 * 1024 * 1024;

/** Days dead letters and audit entries are kept by the ingest worker's periodic sweep. */
export const DEFAULT_RETENTION = { ingestRejectsDays: 30, auditLogDays: 365 } as const;

/** Days raw occupancy events are kept (history aggregates stay). */
export const DEFAULT_EVENTS_RETENTION_DAYS = 180;

/** How often slot leases are checked. */
export const DEFAULT_SLOT_POLL_MS = 1000;
