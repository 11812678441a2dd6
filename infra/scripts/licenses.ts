import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

// Lists every dependency's licence (pnpm licenses list) and calls out what is not permissive.
// Fails when a production dependency of a workspace package is not permissively licensed.
const PERMISSIVE = new Set([
  'MIT',
  'ISC',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'BlueOak-1.0.0',
  'CC0-1.0',
  'Unlicense',
  'Python-2.0',
  'PSF-2.0',
  'Zlib',
]);

// Packages accepted by name though the licence field is not permissive, each with why. LGPL-3.0 allows use of an unmodified
// library from our code; it is a server dependency (never shipped to browsers), and its licence
// text travels with it in node_modules (LICENSES/). Any other non-permissive licence still fails.
const ACCEPTED: ReadonlyMap<string, { license: string; why: string }> = new Map([
  [
    'opening_hours',
    {
      license: 'LGPL-3.0-only',
      why: 'the reference evaluator of OSM opening_hours (packages/domain/src/opening-hours.ts), used unmodified on the server',
    },
  ],
  [
    'suncalc',
    {
      license: 'Unknown',
      why: 'a dependency of opening_hours; its package.json names no licence, its LICENSE file is the BSD 2-clause text',
    },
  ],
]);

type LicenseReport = Record<string, Array<{ name: string; versions: string[] }>>;

function listLicenses(args: string[]): LicenseReport {
  const pnpm = process.env.npm_execpath;
  const [cmd, prefix] = pnpm && /pnpm\.c?js$/.test(pnpm) ? [process.execPath, [pnpm]] : ['npx', ['--yes', 'pnpm@10.34.9']];
  const out = execFileSync(cmd, [...prefix, 'licenses', 'list', '--json', ...args], {
    cwd: resolve(import.meta.dirname, '../..'),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as LicenseReport;
}

/** A licence expression is permissive when every alternative of an OR, or every part of an AND, is. */
function isPermissive(expression: string): boolean {
  const inner = expression.replace(/^\((.*)\)$/, '$1');
  if (inner.includes(' OR ')) return inner.split(' OR ').some((part) => isPermissive(part.trim()));
  if (inner.includes(' AND ')) return inner.split(' AND ').every((part) => isPermissive(part.trim()));
  return PERMISSIVE.has(inner);
}

const all = listLicenses([]);
const prod = listLicenses(['--prod', '--recursive']);
const name = (p: { name: string; versions: string[] }) => `${p.name}@${p.versions.join(',')}`;
console.log('licence: packages (all dependencies, dev tools included)');
for (const [license, pkgs] of Object.entries(all).sort((a, b) => b[1].length - a[1].length)) {
  console.log(
    `  ${isPermissive(license) ? ' ' : '!'} ${license}: ${pkgs.length}${isPermissive(license) ? '' : `  ${pkgs.map(name).join(' ')}`}`,
  );
}
const isAccepted = (license: string, p: { name: string }) => ACCEPTED.get(p.name)?.license === license;
const prodViolations = Object.entries(prod)
  .map(([license, pkgs]) => [license, pkgs.filter((p) => !isPermissive(license) && !isAccepted(license, p))] as const)
  .filter(([, pkgs]) => pkgs.length > 0);
for (const [pkg, { license, why }] of ACCEPTED) console.log(`accepted by name: ${pkg} (${license}): ${why}`);
if (prodViolations.length > 0) {
  console.error('not permissive in production dependencies:');
  for (const [license, pkgs] of prodViolations) console.error(`  ${license}: ${pkgs.map(name).join(' ')}`);
  process.exit(1);
}
console.log(
  `production dependencies: ${Object.values(prod).reduce((n, p) => n + p.length, 0)} packages, all permissive or accepted by name above`,
);
