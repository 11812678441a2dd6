import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FileOwner {
  uid: number;
  gid: number;
}

function lookUpUser(name: string): FileOwner | null {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return null;
  }
}

/**
 * Who the broker's files must belong to: Mosquitto started as root drops to its own user before it
 * opens the password file, the ACL and the server key, which are mode 0600. `spec` is `UID:GID`
 * (1883:1883 in the eclipse-mosquitto image, infra/compose.yaml), a user name, or `none`; unset:
 * the local `mosquitto` user when run as root (Debian's package), else nobody (the files stay the
 * caller's, for a broker running as the caller).
 */
export function resolveBrokerOwner(spec: string | undefined): FileOwner | null {
  if (spec === 'none') return null;
  if (spec !== undefined) {
    const ids = /^(\d+):(\d+)$/.exec(spec);
    const owner = ids ? { uid: Number(ids[1]), gid: Number(ids[2]) } : lookUpUser(spec);
    if (!owner) throw new Error(`--owner ${spec}: no such user (give UID:GID, a user name or none)`);
    return owner;
  }
  return process.getuid?.() === 0 ? lookUpUser('mosquitto') : null;
}

/** Writes the broker's passwd and acl into `dir`: mode 0600 (the directory 0700), belonging to `owner` when given. */
export async function writeBrokerFiles(
  dir: string,
  files: { passwd: string; acl: string },
  owner: FileOwner | null,
): Promise<{ passwd: string; acl: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (owner) await chown(dir, owner.uid, owner.gid);
  const paths = { passwd: join(dir, 'passwd'), acl: join(dir, 'acl') };
  for (const name of ['passwd', 'acl'] as const) {
    await writeFile(paths[name], files[name], { mode: 0o600 });
    await chmod(paths[name], 0o600);
    if (owner) await chown(paths[name], owner.uid, owner.gid);
  }
  return paths;
}
