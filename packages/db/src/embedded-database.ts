import { resolve } from 'node:path';
import { embeddedDatabaseUrl } from './embedded.js';
import { StartupError } from './embedded-errors.js';

/** Which database a command uses: `DATABASE_URL`, else the embedded one of `pnpm start` (DATA_DIR/pg on PG_PORT). */
export type DatabaseLocation = { embedded: false; url: string } | { embedded: true; url: string; dataDir: string; port: number };

/** The one place that decides where the database is, for `pnpm start` and the command-line tools alike. */
export function locateDatabase(env: { DATABASE_URL?: string | undefined; DATA_DIR: string; PG_PORT: number }): DatabaseLocation {
  if (env.DATABASE_URL) return { embedded: false, url: env.DATABASE_URL };
  return { embedded: true, url: embeddedDatabaseUrl(env.PG_PORT), dataDir: resolve(env.DATA_DIR, 'pg'), port: env.PG_PORT };
}

/** One line for a database that cannot be reached, saying what to do (instead of a driver's stack). */
export function explainUnreachableDatabase(location: DatabaseLocation, err: unknown): StartupError | null {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const refused = code === 'ECONNREFUSED' || (err instanceof AggregateError && err.errors.some((e) => e?.code === 'ECONNREFUSED'));
  const auth = code === '28P01' || code === '3D000';
  if (!refused && !auth && code !== 'ENOTFOUND' && code !== 'ETIMEDOUT') return null;
  if (location.embedded) {
    const what = refused
      ? `no PostgreSQL answers on 127.0.0.1:${location.port}`
      : `127.0.0.1:${location.port} is not the embedded database`;
    return new StartupError(
      `${what} (the embedded database of "pnpm start", data in ${location.dataDir}): run "pnpm start" first, with the same PG_PORT and DATA_DIR, or set DATABASE_URL`,
      { cause: err },
    );
  }
  const target = new URL(location.url);
  return new StartupError(`cannot reach the database at ${target.host} (${code}): check DATABASE_URL and that the server runs`, {
    cause: err,
  });
}
