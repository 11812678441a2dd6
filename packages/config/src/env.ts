import { z } from 'zod';
import { addressRangeProblem } from './address-ranges.js';
import {
  DEFAULT_BATCH_MAX_BYTES,
  DEFAULT_COMMIT_CONCURRENCY,
  DEFAULT_EVENTS_RETENTION_DAYS,
  DEFAULT_HOST,
  DEFAULT_MAP,
  DEFAULT_MAX_UNACKED_BYTES,
  DEFAULT_RATE_LIMIT,
  DEFAULT_RETENTION,
  DEFAULT_SLOT_POLL_MS,
  DEFAULT_STREAM_MAX_PER_CLIENT,
} from './defaults.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const bool = z
  .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'on' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65_535);

/** Environment every service reads. */
export const baseEnvSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `pretty` for people, `json` for log shippers; unset: pretty on a terminal, JSON otherwise. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  MQTT_URL: z.url({ protocol: /^(mqtts?|tcp|ssl|wss?)$/ }).optional(),
  MQTT_USERNAME: z.string().optional(),
  MQTT_PASSWORD: z.string().optional(),
  /** PEM file of the CA that signed the broker's certificate (mqtts://); unset: the system's CAs. */
  MQTT_CA_FILE: z.string().optional(),
  /** PEM client certificate and key for brokers that require mutual TLS (both or neither). */
  MQTT_CERT_FILE: z.string().optional(),
  MQTT_KEY_FILE: z.string().optional(),
  /** `false` accepts any broker certificate: for a lab only, never in production. */
  MQTT_REJECT_UNAUTHORIZED: bool.default(true),
});

export const ingestEnvSchema = baseEnvSchema.extend({
  MQTT_CLIENT_ID: z.string().min(1).max(64).optional(),
  MQTT_PROTOCOL_VERSION: z.enum(['4', '5']).default('5').transform(Number) as z.ZodType<4 | 5>,
  // Under load a batch is as big as what arrived during the previous commit, up to this: large
  // batches amortise the per-batch facility refresh (bench/ingest). Light load commits by time.
  INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(5000),
  INGEST_FLUSH_MS: z.coerce.number().int().min(1).max(60_000).default(50),
  /** Least time between the starts of two commits unless INGEST_COMMIT_MIN_EVENTS wait (0: back to back). */
  INGEST_COMMIT_INTERVAL_MS: z.coerce.number().int().min(0).max(1000).default(50),
  INGEST_COMMIT_MIN_EVENTS: z.coerce.number().int().min(1).max(50_000).default(100),
  INGEST_MAX_UNACKED: z.coerce.number().int().min(1).max(65_535).default(10_000),
  /**
   * Payload bytes of a batch at most (at least one message): with rejected payloads cut to 1 KiB,
   * 5,000 ~100-byte events stay one batch, 5,000 rejects become two.
   */
  INGEST_BATCH_MAX_BYTES: z.coerce.number().int().min(1024).max(1_073_741_824).default(DEFAULT_BATCH_MAX_BYTES),
  /** Payload bytes read and not yet acknowledged before reading pauses (at least one message). */
  INGEST_MAX_UNACKED_BYTES: z.coerce.number().int().min(1024).max(1_073_741_824).default(DEFAULT_MAX_UNACKED_BYTES),
  /** Dead letters (`ingest_rejects`) older than this are deleted by the ingest worker's periodic sweep. */
  INGEST_REJECTS_RETENTION_DAYS: z.coerce.number().min(1).max(36_500).default(DEFAULT_RETENTION.ingestRejectsDays),
  /** Audit entries older than this are deleted by the ingest worker's periodic sweep. */
  AUDIT_LOG_RETENTION_DAYS: z.coerce.number().min(1).max(36_500).default(DEFAULT_RETENTION.auditLogDays),
  /** Parts a large batch is split into by sensor and committed at once (they share no sensor rows, so they overlap). */
  INGEST_COMMIT_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(DEFAULT_COMMIT_CONCURRENCY),
  /** Days raw occupancy events are kept (daily partitions dropped whole; a TimescaleDB retention policy); history aggregates stay. */
  EVENTS_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(DEFAULT_EVENTS_RETENTION_DAYS),
  INGEST_METRICS_PORT: port.optional(),
  /** Interface of the metrics endpoint; loopback by default, `0.0.0.0` in a container for Prometheus. */
  INGEST_METRICS_HOST: z.string().default(DEFAULT_HOST),
  /** MQTT 5 shared-subscription group: workers with the same group split the messages between them. */
  MQTT_SHARE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (1-64)')
    .optional(),
  /**
   * Slots of the share group, comma-separated client ids (= broker accounts, e.g.
   * `ingest-1@svc,ingest-2@svc`), the same list for every worker: a worker consumes its own slot
   * (MQTT_CLIENT_ID) and takes over the slots of workers that are away (docs/scale-out.md).
   */
  INGEST_SLOTS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
    .pipe(z.array(z.string().min(1).max(64)).min(1))
    .optional(),
  /** How often slot leases are checked: a dead worker's share resumes within about this. */
  INGEST_SLOT_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(DEFAULT_SLOT_POLL_MS),
  /** Subscribe to the broker's `$SYS/broker/store/messages/…` totals for the queue alerts (infra/prometheus). */
  INGEST_BROKER_STATS: bool.default(true),
});

export const apiEnvSchema = baseEnvSchema.extend({
  PORT: port.default(3000),
  HOST: z.string().default(DEFAULT_HOST),
  /** Tile URL template of the public map (`{z}/{x}/{y}`); `off` shows the list only. */
  MAP_TILE_URL: z.string().default(DEFAULT_MAP.tileUrl),
  MAP_ATTRIBUTION: z.string().default(DEFAULT_MAP.attribution),
  /** Requests per second each client IP may sustain on the public API; 0 turns the limit off. */
  API_RATE_LIMIT_RPS: z.coerce.number().min(0).max(1_000_000).default(DEFAULT_RATE_LIMIT.ratePerSecond),
  /** Requests a client IP may send at once (signage behind one NAT polls in bursts). */
  API_RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(10_000_000).default(DEFAULT_RATE_LIMIT.burst),
  /** Server-sent event streams one client may hold open at once (keyed as the rate limit); the process allows 1,000 in all. */
  API_STREAM_MAX_PER_CLIENT: z.coerce.number().int().min(1).max(1000).default(DEFAULT_STREAM_MAX_PER_CLIENT),
  /**
   * Comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For names the
   * client (rate limits and failed-login limits per client).
   */
  API_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .superRefine((entries, ctx) => {
      for (const entry of entries) {
        const problem = addressRangeProblem(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }
    }),
  /** Signs operators' dashboard sessions; set the same value (≥ 32 characters) on every API replica. */
  OPS_SESSION_SECRET: z.string().min(32).optional(),
  /** Mark the dashboard session cookie Secure (serve the API behind TLS). */
  OPS_SECURE_COOKIES: bool.default(false),
});

/** `pnpm db:roles`: the schema owner's DATABASE_URL and the passwords of the services' database roles. */
export const dbRolesEnvSchema = baseEnvSchema.extend({
  API_DB_PASSWORD: z.string().min(16, 'at least 16 characters'),
  INGEST_DB_PASSWORD: z.string().min(16, 'at least 16 characters'),
});

export type IngestEnv = z.infer<typeof ingestEnvSchema>;
export type ApiEnv = z.infer<typeof apiEnvSchema>;

/** `pnpm start`: the ingest worker's and the API's environment (the same keys, the same defaults) and the embedded parts. */
export const launcherEnvSchema = ingestEnvSchema.extend(apiEnvSchema.shape).extend({
  MQTT_PORT: port.default(1883),
  SIMULATOR: z.enum(['on', 'off']).default('on'),
  SIMULATOR_SPEED: z.coerce.number().min(0.01).max(10_000).default(60),
  /** Faults the built-in simulator injects, as `pnpm sim --faults` takes them (e.g. `die=0.02,flap=0.01`). */
  SIMULATOR_FAULTS: z.string().default(''),
  DATA_DIR: z.string().default('.data'),
  PG_PORT: port.default(54_329),
});
export type LauncherEnv = z.infer<typeof launcherEnvSchema>;

/** Parses the environment once; every problem is named with its variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(clean);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** For a service's `main.ts`: parses the environment, or names what is wrong on stderr and exits 2. */
export function parseEnvOrExit<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>, service: string): z.infer<S> {
  try {
    return parseEnv(schema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`freiplatz ${service}: ${err.message}\n`);
    process.exit(2);
  }
}
