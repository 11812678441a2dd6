/**
 * A start-up failure a person can act on: `message` is one line saying what is wrong and what to do.
 * Launchers print only the message; the cause stays for debug logs.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

export interface PostgresFailureContext {
  port: number;
  clusterDir: string;
  /** What PostgreSQL printed before it exited. */
  output: string;
  exitCode: number | null;
}

/** Turns what a PostgreSQL server printed before it gave up into one line with what to do. */
export function explainPostgresFailure(ctx: PostgresFailureContext): StartupError {
  const { port, clusterDir, output } = ctx;
  if (/could not bind .*address|Address already in use/i.test(output)) {
    return new StartupError(`PostgreSQL port ${port} is already in use: stop what listens there, or set PG_PORT to a free port`);
  }
  const lock = /lock file "postmaster\.pid" already exists[\s\S]*?PID (\d+)/i.exec(output);
  if (lock || /lock file "postmaster\.pid" already exists/i.test(output)) {
    const pid = lock?.[1] ? ` (pid ${lock[1]})` : '';
    return new StartupError(
      `the data directory ${clusterDir} is in use by another PostgreSQL${pid}: stop that one (another "pnpm start"?), or set DATA_DIR to another directory`,
    );
  }
  if (/Permission denied/i.test(output)) {
    return new StartupError(`PostgreSQL may not use ${clusterDir} (permission denied): give its user access, or set DATA_DIR elsewhere`);
  }
  const fatal = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /\b(FATAL|PANIC|ERROR|initdb: error)\b/.test(l))
    .at(-1);
  const reason = fatal ?? output.trim().split('\n').at(-1) ?? `exit code ${ctx.exitCode}`;
  return new StartupError(`PostgreSQL (data ${clusterDir}, port ${port}) stopped during start-up: ${reason.slice(0, 300)}`);
}

/** Explains a failure to run a PostgreSQL binary at all (spawn errors). */
export function explainSpawnFailure(binary: string, err: NodeJS.ErrnoException): StartupError {
  const hint =
    err.code === 'EACCES'
      ? "PostgreSQL's user may not run it; run as another user or set DATABASE_URL to a PostgreSQL server"
      : 'reinstall with "pnpm install", or set DATABASE_URL to a PostgreSQL server';
  return new StartupError(`cannot run ${binary} (${err.code ?? err.message}): ${hint}`, { cause: err });
}
