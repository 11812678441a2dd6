import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { validateCycloneDxJson } from './cyclonedx-validate.js';

// cyclonedx-npm reads the installed tree through `npm ls`. npm does not know pnpm's layout and
// reports the dev dependencies of installed packages as "missing"; the tree itself is complete, so
// those npm errors are ignored here and the result is validated against the CycloneDX schema instead.
const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist/sbom.cdx.json' } } });
const repoRoot = resolve(import.meta.dirname, '../..');
const out = resolve(repoRoot, values.out);
mkdirSync(dirname(out), { recursive: true });
execFileSync(
  resolve(repoRoot, 'node_modules/.bin/cyclonedx-npm'),
  ['--ignore-npm-errors', '--spec-version', '1.6', '--output-format', 'JSON', '--output-reproducible', '--output-file', out],
  // Under `pnpm sbom`, npm_execpath points at pnpm; cyclonedx-npm must find npm itself.
  { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, npm_execpath: undefined } },
);
const bom = JSON.parse(readFileSync(out, 'utf8')) as unknown;
const errors = await validateCycloneDxJson(bom);
if (errors !== null) {
  console.error(`sbom: ${out} is not valid CycloneDX 1.6:\n${JSON.stringify(errors, null, 2).slice(0, 4000)}`);
  process.exit(1);
}
const components = (bom as { components?: unknown[] }).components ?? [];
console.log(JSON.stringify({ sbom: out, specVersion: '1.6', valid: true, topLevelComponents: components.length }));
