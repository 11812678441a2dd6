import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseRegistry } from '@freiplatz/domain';
import { formatIssuedCsv, provisionBrokerCredentials } from './provision.js';

const usage = `usage: pnpm broker:provision --registry FILE.json --out DIR [--ingest-workers N] [--lorawan] [--rotate USER]...

Writes the broker's DIR/passwd and DIR/acl: one account per sensor of the registry (username =
sensor id), N ingest worker accounts ingest-1@svc … ingest-N@svc (default 2) and, with --lorawan,
lorawan@svc for a bridged network server. Accounts already in DIR/passwd keep their password;
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
const aclPath = join(values.out, 'acl');
await mkdir(values.out, { recursive: true, mode: 0o700 });
const result = provisionBrokerCredentials({
  registry: parsed.registry,
  staticAcl: await readFile(new URL('../mosquitto/acl', import.meta.url), 'utf8'),
  ...(existsSync(passwdPath) ? { existingPasswd: await readFile(passwdPath, 'utf8') } : {}),
  ingestWorkers: Number(values['ingest-workers']),
  lorawan: values.lorawan,
  rotate: values.rotate ?? [],
});
// Only the broker reads these (in the container they belong to the mosquitto user).
for (const [path, text] of [
  [passwdPath, result.passwd],
  [aclPath, result.acl],
] as const) {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}
let issuedPath: string | null = null;
if (result.issued.length > 0) {
  issuedPath = join(values.out, `issued-${new Date().toISOString().replaceAll(':', '-')}.csv`);
  await writeFile(issuedPath, formatIssuedCsv(result.issued), { mode: 0o600, flag: 'wx' });
}
console.log(
  JSON.stringify({
    passwd: passwdPath,
    acl: aclPath,
    issued: result.issued.length,
    issuedFile: issuedPath,
    kept: result.kept.length,
    revoked: result.revoked,
  }),
);
