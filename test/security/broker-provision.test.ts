import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRegistry } from '@freiplatz/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveBrokerOwner } from '../../infra/scripts/broker-files.js';
import { hashMosquittoPassword, parsePasswordFile, verifyMosquittoPassword } from '../../infra/scripts/mosquitto-passwd.js';
import { provisionBrokerCredentials } from '../../infra/scripts/provision.js';
import { REPO_ROOT } from '../support/processes.js';

const staticAcl = readFileSync(join(REPO_ROOT, 'infra/mosquitto/acl'), 'utf8');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'freiplatz-provision-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('mosquitto password hashes', () => {
  it('verifies a hash made by the real mosquitto_passwd, and rejects a wrong password', () => {
    const file = join(tempDir(), 'passwd');
    writeFileSync(file, '');
    execFileSync('mosquitto_passwd', ['-b', file, 'sensor-1', 'right horse battery']);
    const hash = parsePasswordFile(readFileSync(file, 'utf8')).get('sensor-1')!;
    expect(hash).toMatch(/^\$7\$101\$/);
    expect(verifyMosquittoPassword('right horse battery', hash)).toBe(true);
    expect(verifyMosquittoPassword('wrong horse battery', hash)).toBe(false);
  });

  it('writes the same format as mosquitto_passwd: $7$, iterations, 12-byte salt, 64-byte PBKDF2-SHA512 hash', () => {
    const [, prefix, iterations, salt, hash] = hashMosquittoPassword('secret').split('$');
    expect([prefix, iterations]).toEqual(['7', '101']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(12);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(64);
  });
});

describe('provisioning from the registry', () => {
  const registry = buildRegistry({ id: 'east', spots: 3 });

  it('issues one account per sensor and per ingest slot, and an ACL block for each slot', () => {
    const result = provisionBrokerCredentials({ registry, staticAcl, ingestWorkers: 2 });
    expect(result.issued.map((c) => c.username)).toEqual(['east-1-s', 'east-2-s', 'east-3-s', 'ingest-1@svc', 'ingest-2@svc']);
    // Sensors each their own; the slots one between them (any live worker takes over any slot).
    expect(new Set(result.issued.map((c) => c.password)).size).toBe(4);
    expect(result.issued[3]?.password).toBe(result.issued[4]?.password);
    expect(result.acl).toContain(
      'user ingest-1@svc\ntopic read parking/v1/#\ntopic read v3/+/devices/+/up\ntopic read application/+/device/+/event/+\ntopic read $SYS/broker/store/messages/+\n',
    );
    const hashes = parsePasswordFile(result.passwd);
    for (const c of result.issued) expect(verifyMosquittoPassword(c.password, hashes.get(c.username)!)).toBe(true);
    expect(result.acl).toContain('user ingest-2@svc\ntopic read parking/v1/#\n');
    expect(hashes.has('lorawan@svc')).toBe(false);
  });

  it('keeps existing passwords, revokes sensors that left the registry and rotates on request', () => {
    const first = provisionBrokerCredentials({ registry, staticAcl, ingestWorkers: 1 });
    const next = provisionBrokerCredentials({
      registry: buildRegistry({ id: 'east', spots: 2 }, { id: 'west', spots: 1 }),
      staticAcl,
      ingestWorkers: 1,
      existingPasswd: first.passwd,
      rotate: ['east-1-s'],
    });
    expect(next.issued.map((c) => c.username)).toEqual(['east-1-s', 'west-1-s']);
    expect(next.kept).toEqual(['east-2-s', 'ingest-1@svc']);
    expect(next.revoked).toEqual(['east-3-s']);
    const old = first.issued.find((c) => c.username === 'east-2-s')!;
    expect(verifyMosquittoPassword(old.password, parsePasswordFile(next.passwd).get('east-2-s')!)).toBe(true);
  });

  it('gives every ingest slot one new password when a slot is added or rotated', () => {
    const first = provisionBrokerCredentials({ registry, staticAcl, ingestWorkers: 1 });
    for (const change of [{ ingestWorkers: 2 }, { ingestWorkers: 1, rotate: ['ingest-1@svc'] }]) {
      const next = provisionBrokerCredentials({ registry, staticAcl, existingPasswd: first.passwd, ...change });
      const slots = next.issued.filter((c) => c.kind === 'service');
      expect(slots.map((c) => c.username)).toEqual(Array.from({ length: change.ingestWorkers }, (_, i) => `ingest-${i + 1}@svc`));
      const hashes = parsePasswordFile(next.passwd);
      for (const c of slots) expect(verifyMosquittoPassword(slots[0]!.password, hashes.get(c.username)!)).toBe(true);
      expect(slots[0]?.password).not.toBe(first.issued.find((c) => c.username === 'ingest-1@svc')?.password);
    }
  });

  it('refuses to rotate an account it does not know', () => {
    expect(() => provisionBrokerCredentials({ registry, staticAcl, ingestWorkers: 1, rotate: ['ghost'] })).toThrow(/ghost/);
  });
});

describe('pnpm broker:provision', () => {
  it('writes passwd, acl and the issued passwords once, readable by the owner only', () => {
    const out = tempDir();
    const registryFile = join(out, 'registry.json');
    writeFileSync(registryFile, JSON.stringify(buildRegistry({ id: 'cli', spots: 2 })));
    const run = () =>
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', 'infra/scripts/provision-broker.ts', '--registry', registryFile, '--out', out], {
          cwd: REPO_ROOT,
          encoding: 'utf8',
        }),
      ) as { issued: number; issuedFile: string | null; kept: number };
    const first = run();
    expect(first.issued).toBe(4);
    for (const file of [join(out, 'passwd'), join(out, 'acl'), first.issuedFile!]) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.issuedFile!, 'utf8').trim().split('\n')).toHaveLength(5);
    const second = run();
    expect(second).toMatchObject({ issued: 0, issuedFile: null, kept: 4 });
    expect(readdirSync(out).filter((f) => f.startsWith('issued-'))).toHaveLength(1);
  });

  it('gives passwd, acl and their directory to the broker’s user (--owner), who alone can read them', () => {
    const out = join(tempDir(), 'broker');
    const registryFile = join(tempDir(), 'registry.json');
    writeFileSync(registryFile, JSON.stringify(buildRegistry({ id: 'own', spots: 1 })));
    const owner = process.getuid?.() === 0 ? '1883:1884' : `${process.getuid?.()}:${process.getgid?.()}`;
    const result = JSON.parse(
      execFileSync(
        process.execPath,
        ['--import', 'tsx', 'infra/scripts/provision-broker.ts', '--registry', registryFile, '--out', out, '--owner', owner],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
        },
      ),
    ) as { owner: { uid: number; gid: number } };
    const [uid, gid] = owner.split(':').map(Number);
    expect(result.owner).toEqual({ uid, gid });
    for (const path of [out, join(out, 'passwd'), join(out, 'acl')]) {
      const st = statSync(path);
      expect({ path, uid: st.uid, gid: st.gid, mode: st.mode & 0o777 }).toEqual({ path, uid, gid, mode: path === out ? 0o700 : 0o600 });
    }
  });

  it('refuses an owner that does not exist', () => {
    expect(() => resolveBrokerOwner('no-such-user-freiplatz')).toThrow(/no such user/);
    expect(resolveBrokerOwner('1883:1883')).toEqual({ uid: 1883, gid: 1883 });
    expect(resolveBrokerOwner('none')).toBeNull();
  });
});
