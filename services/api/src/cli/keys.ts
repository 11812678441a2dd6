import { parseArgs } from 'node:util';
import { launcherEnvSchema, parseEnv } from '@freiplatz/config';
import { createDb, explainUnreachableDatabase, listApiKeys, locateDatabase, migrate } from '@freiplatz/db';
import { createOperatorKey, revokeOperatorKey } from './operator-keys.js';

const usage = `Usage:
  pnpm keys:create --name NAME --scope ops:read [--scope registry:write] [--facility ID ...]
  pnpm keys:revoke KEY_ID
  pnpm keys:list

The key is printed once and stored only as a scrypt hash. Without --facility it covers every facility.
DATABASE_URL defaults to the embedded database of \`pnpm start\` (postgres://…@127.0.0.1:$PG_PORT/freiplatz), which must be running.`;

const location = locateDatabase(parseEnv(launcherEnvSchema, process.env));
const databaseUrl = location.url;
const [command, ...rest] = process.argv.slice(2);

let values: { name?: string; scope?: string[]; facility?: string[]; help?: boolean };
let positionals: string[];
try {
  ({ values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      scope: { type: 'string', multiple: true },
      facility: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
  process.exit(2);
}
if (values.help || !command || !['create', 'revoke', 'list'].includes(command)) {
  process.stderr.write(`${usage}\n`);
  process.exit(values.help ? 0 : 2);
}

try {
  await migrate(databaseUrl);
} catch (err) {
  const explained = explainUnreachableDatabase(location, err);
  if (!explained) throw err;
  process.stderr.write(`${explained.message}\n`);
  process.exit(1);
}
const db = createDb({ connectionString: databaseUrl, max: 1, applicationName: 'freiplatz-keys' });
let code = 0;
try {
  if (command === 'create') {
    const scopes = (values.scope ?? []).flatMap((s) => s.split(',')).filter(Boolean);
    const facilityIds = (values.facility ?? []).flatMap((s) => s.split(',')).filter(Boolean);
    const result = await createOperatorKey(db, { name: values.name ?? '', scopes, facilityIds });
    if (!result.ok) {
      process.stderr.write(`${result.message}\n`);
      code = 2;
    } else {
      process.stderr.write(
        `Created key ${result.id} (${scopes.join(', ')}${facilityIds.length ? `; facilities ${facilityIds.join(', ')}` : ''}).\n`,
      );
      process.stderr.write('Store it now: it is shown only this once. Use it as "Authorization: Bearer <key>".\n');
      process.stdout.write(`${result.token}\n`);
    }
  } else if (command === 'revoke') {
    const id = positionals[0] ?? '';
    if (!(await revokeOperatorKey(db, id))) {
      process.stderr.write(`no active key "${id}"\n`);
      code = 1;
    } else process.stderr.write(`revoked ${id}\n`);
  } else {
    for (const k of await listApiKeys(db)) {
      const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : `last used ${k.lastUsedAt?.toISOString() ?? 'never'}`;
      process.stdout.write(`${k.id}  ${k.name}  [${k.scopes.join(',')}]  ${k.facilityIds?.join(',') ?? 'all facilities'}  ${state}\n`);
    }
  }
} finally {
  await db.destroy();
}
process.exit(code);
