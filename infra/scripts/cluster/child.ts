import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect, createServer } from 'node:net';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Throws with what to install when `command` is not on the PATH. */
export function requireCommand(command: string, hint: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`${command} is not installed (or not on the PATH): ${hint}`);
  }
}

export interface Child {
  name: string;
  process: ChildProcess;
  /** The last output, for error messages. */
  tail(): string;
  /** Resolves once something listens on 127.0.0.1:`port`; rejects if the process exits first or after `timeoutMs`. */
  waitForPort(port: number, timeoutMs?: number): Promise<void>;
  /** Sends `signal` and resolves when the process has exited (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Starts a process of the local cluster with its output going to `logFile`. */
export function startChild(
  name: string,
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string; logFile: string },
): Child {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  let tail = '';
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  child.on('error', (err) => onData(Buffer.from(`${name}: ${err.message}\n`)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => log.end());
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    process: child,
    tail: () => tail,
    async waitForPort(port, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await canConnect(port))) {
        if (!running()) throw new Error(`${name} exited before listening on ${port}:\n${tail}`);
        if (Date.now() > deadline) throw new Error(`${name} does not listen on ${port} after ${timeoutMs} ms:\n${tail}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (!running()) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
