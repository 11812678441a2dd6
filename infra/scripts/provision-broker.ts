import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseRegistry } from '@freiplatz/domain';
import { resolveBrokerOwner, writeBrokerFiles } from './broker-files.js';
import { formatIssuedCsv, provisionBrokerCredentials } from './provision.js';

const usage = `usage: pnpm broker:provision --registry FILE.json --out DIR [--ingest-workers N] [--lorawan] [--rotate USER]... [--owner UID:GID|USER|none]

Writes the broker's DIR/passwd and DIR/acl: one account per sensor of the registry (username =
sensor id), N ingest slot accounts ingest-1@svc … ingest-N@svc (default 2; they share one
password) and, with --lorawan, lorawan@svc for a bridged network server. Both files are mode 0600
and belong to --owner, the broker's user (1883:1883 for the compose stack; default when run as
root: the local mosquitto user; without root they stay yours). Accounts already in DIR/passwd keep their password;
sensors no longer in the registry lose their account. New and rotated passwords are written once,
in clear, to DIR/issued-<time>.csv (mode 0600) for the installers: hand it over, then delete it.
Reload the broker afterwards (SIGHUP).`;

const { values } = parseArgs({
  options: {
    registry: { type: 'string' },
    out: { type: 'string' },
    'ingest-workers': { type: 'string', default: '2' },
    lorawan: { type: 'boolean', default: false },
    rotate: { type: 'string', multiple: true },
    owner: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help || !values.registry || !values.out) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}
const parsed = parseRegistry(JSON.parse(await readFile(values.registry, 'utf8')));
if (!parsed.ok) {
  console.error(`${values.registry}: not a valid registry:\n${parsed.issues.map((i) => `  ${i}`).join('\n')}`);
  process.exit(1);
}
const passwdPath = join(values.out, 'passwd');
const owner = resolveBrokerOwner(values.owner);
const result = provisionBrokerCredentials({
  registry: parsed.registry,
  staticAcl: await readFile(new URL('../mosquitto/acl', import.meta.url), 'utf8'),
  ...(existsSync(passwdPath) ? { existingPasswd: await readFile(passwdPath, 'utf8') } : {}),
  ingestWorkers: Number(values['ingest-workers']),
  lorawan: values.lorawan,
  rotate: values.rotate ?? [],
});
// Only the broker reads these: Mosquitto opens them after dropping to its own user.
const written = await writeBrokerFiles(values.out, result, owner);
let issuedPath: string | null = null;
if (result.issued.length > 0) {
  issuedPath = join(values.out, `issued-${new Date().toISOString().replaceAll(':', '-')}.csv`);
  await writeFile(issuedPath, formatIssuedCsv(result.issued), { mode: 0o600, flag: 'wx' });
}
console.log(
  JSON.stringify({
    ...written,
    owner,
    issued: result.issued.length,
    issuedFile: issuedPath,
    kept: result.kept.length,
    revoked: result.revoked,
  }),
);
