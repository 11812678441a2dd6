import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Builds a service as its container image holds it (infra/docker/build-service.mjs: one bundle
 * and the files it finds beside itself) into `outDir`; returns the bundle's entry point.
 */
export function buildServiceBundle(service: 'ingest' | 'api', outDir: string): string {
  execFileSync(process.execPath, [join(REPO_ROOT, 'infra/docker/build-service.mjs'), service, outDir], { stdio: 'ignore' });
  return join(outDir, 'services', service, 'src', 'main.mjs');
}

export interface ServiceProcess {
  child: ChildProcess;
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** Resolves when a printed line contains `text`. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs an entry point as its own process: a TypeScript one of this repository (e.g.
 * `services/ingest/src/main.ts`, through tsx) or built JavaScript (`.mjs`/`.js`, e.g. a service
 * bundle of infra/docker/build-service.mjs, as the container image runs it).
 */
export function startService(entry: string, env: Record<string, string>, cwd = REPO_ROOT): ServiceProcess {
  const args = /\.m?js$/.test(entry) ? [entry] : ['--import', 'tsx', entry];
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    waitForOutput(text, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (out.includes(text)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`"${text}" not printed within ${timeoutMs} ms; output:\n${out.slice(-3000)}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() => {
          if (!out.includes(text)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`process exited before printing "${text}"; output:\n${out.slice(-3000)}`));
          }
        });
        check();
      });
    },
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
