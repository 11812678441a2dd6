import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, waitForPort } from '@freiplatz/testing';

/** Path of the mosquitto binary, or null when it is not installed. */
export function findMosquitto(): string | null {
  for (const candidate of ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/opt/homebrew/sbin/mosquitto']) {
    try {
      execFileSync(candidate, ['-h'], { stdio: 'ignore' });
      return candidate;
    } catch (err) {
      // `mosquitto -h` exits 3 after printing help: it exists.
      if ((err as { status?: number }).status === 3) return candidate;
    }
  }
  try {
    return execFileSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export interface MosquittoHandle {
  url: string;
  port: number;
  /** Stops the broker (SIGTERM; persistence is written on a clean stop). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same persistence directory. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/** Runs a private Mosquitto on a free loopback port; queues are unbounded so a test's bursts are kept for offline sessions. */
export async function startMosquitto(options: { persistence?: boolean; extraConfig?: string } = {}): Promise<MosquittoHandle> {
  const binary = findMosquitto();
  if (!binary) throw new Error('mosquitto is not installed (Debian: apt-get install mosquitto)');
  const port = await findFreePort();
  const dir = mkdtempSync(join(tmpdir(), 'freiplatz-mosquitto-'));
  // Started as root, mosquitto drops to its own user: without this it cannot write its
  // persistence file, and a restart silently comes back without sessions or queued messages.
  if (options.persistence) chmodSync(dir, 0o777);
  const config = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'max_queued_messages 0',
    'max_queued_bytes 0',
    'max_inflight_messages 0',
    'persistent_client_expiration 1h',
    `persistence ${options.persistence ? 'true' : 'false'}`,
    `persistence_location ${dir}/`,
    'autosave_interval 1',
    'log_dest none',
    options.extraConfig ?? '',
  ].join('\n');
  writeFileSync(join(dir, 'mosquitto.conf'), `${config}\n`);
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(binary, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    await waitForPort(port);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    stop,
    restart: start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
