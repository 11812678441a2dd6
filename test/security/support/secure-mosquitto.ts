import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, waitForPort } from '@freiplatz/testing';
import { resolveBrokerOwner, writeBrokerFiles } from '../../../infra/scripts/broker-files.js';
import { renderMosquittoConfig } from '../../../infra/scripts/cluster/render-config.js';
import { findMosquitto } from '../../support/mosquitto.js';
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
  // Written as `pnpm broker:provision` writes them (0600, the broker's user when run as root):
  // Mosquitto drops to its own user before it opens them, as in production.
  const owner = resolveBrokerOwner(undefined);
  const dir = join(tmpdir(), `freiplatz-secure-mosquitto-${randomUUID()}`);
  const writeFiles = (passwd: string) => writeBrokerFiles(dir, { passwd, acl: options.acl }, owner);
  await writeFiles(options.passwd);
  mkdirSync(join(dir, 'data'));
  if (owner) chownSync(join(dir, 'data'), owner.uid, owner.gid);
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
      await writeFiles(passwd);
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
