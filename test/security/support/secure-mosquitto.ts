import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMosquitto } from '../../support/mosquitto.js';
import { findFreePort, waitForPort } from '../../support/ports.js';
import { REPO_ROOT } from '../../support/processes.js';

const INFRA = join(REPO_ROOT, 'infra');

export interface TestCertificates {
  dir: string;
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

/** Makes a throwaway CA, server and client certificate with infra/tls/make-certs.sh. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'freiplatz-certs-'));
  execFileSync('bash', [join(INFRA, 'tls/make-certs.sh'), dir], { stdio: 'ignore' });
  return { dir, caFile: join(dir, 'ca.crt'), clientCertFile: join(dir, 'client.crt'), clientKeyFile: join(dir, 'client.key') };
}

/**
 * Renders infra/mosquitto/mosquitto.conf for a test: the same settings with temporary paths and a
 * loopback port. Every substitution must apply, so a changed production file fails loudly here
 * instead of silently testing something else.
 */
export function renderMosquittoConfig(options: { dir: string; certDir: string; port: number; overrides?: Record<string, string> }): string {
  let config = readFileSync(join(INFRA, 'mosquitto/mosquitto.conf'), 'utf8');
  const substitutions: Array<[string, string]> = [
    ['/mosquitto/config/passwd', join(options.dir, 'passwd')],
    ['/mosquitto/config/acl', join(options.dir, 'acl')],
    ['/mosquitto/certs/', `${options.certDir}/`],
    ['/mosquitto/data/', `${join(options.dir, 'data')}/`],
    ['\nlistener 8883\n', `\nlistener ${options.port} 127.0.0.1\n`],
    ['\nlog_dest stdout\n', '\nlog_dest stderr\n'],
    ...Object.entries(options.overrides ?? {}),
  ];
  for (const [from, to] of substitutions) {
    if (!config.includes(from)) throw new Error(`infra/mosquitto/mosquitto.conf no longer contains "${from.trim()}"`);
    config = config.replaceAll(from, to);
  }
  return config;
}

export interface SecureMosquitto {
  /** `mqtts://127.0.0.1:<port>` */
  url: string;
  /** Everything the broker logged. */
  log(): string;
  /** Replaces the password file and tells the broker to reload it (SIGHUP). */
  reloadPasswords(passwd: string): Promise<void>;
  dispose(): Promise<void>;
}

/** Starts Mosquitto with the production configuration of infra/mosquitto and a provisioned password file and ACL. */
export async function startSecureMosquitto(options: {
  passwd: string;
  acl: string;
  certs: TestCertificates;
  overrides?: Record<string, string>;
}): Promise<SecureMosquitto> {
  const binary = findMosquitto();
  if (!binary) throw new Error('mosquitto is not installed (Debian: apt-get install mosquitto); these tests need the real broker');
  const port = await findFreePort();
  const dir = mkdtempSync(join(tmpdir(), 'freiplatz-secure-mosquitto-'));
  mkdirSync(join(dir, 'data'));
  // Started as root, mosquitto drops to its own user: let it reach its files (test files only).
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'data'), 0o777);
  chmodSync(options.certs.dir, 0o755);
  for (const file of ['server.key', 'ca.crt', 'server.crt']) chmodSync(join(options.certs.dir, file), 0o644);
  writeFileSync(join(dir, 'passwd'), options.passwd, { mode: 0o644 });
  writeFileSync(join(dir, 'acl'), options.acl, { mode: 0o644 });
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    renderMosquittoConfig({ dir, certDir: options.certs.dir, port, ...(options.overrides ? { overrides: options.overrides } : {}) }),
  );
  let output = '';
  const child: ChildProcess = spawn(binary, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await Promise.race([
    waitForPort(port),
    exited.then(() => {
      throw new Error(`mosquitto exited at start:\n${output}`);
    }),
  ]);
  return {
    url: `mqtts://127.0.0.1:${port}`,
    log: () => output,
    async reloadPasswords(passwd) {
      writeFileSync(join(dir, 'passwd'), passwd, { mode: 0o644 });
      const before = output.length;
      child.kill('SIGHUP');
      const deadline = Date.now() + 5000;
      while (!output.slice(before).includes('Reloading config') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
