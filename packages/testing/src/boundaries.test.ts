import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'|^import '([^']+)'/gm)].map((m) => m[1] ?? m[2]);
const sourcesUnder = (dir: string): string[] =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.includes('node_modules'))
    .map((f) => join(root, dir, f));

describe('@freiplatz/testing boundaries', () => {
  it('depends on the database and the domain, never on a service', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages/testing/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith('@freiplatz/'))).toEqual(['@freiplatz/db', '@freiplatz/domain']);
    for (const file of sourcesUnder('packages/testing/src')) {
      for (const source of importsOf(file)) {
        expect(source, relative(root, file)).not.toMatch(/^@freiplatz\/(api|ingest|launcher)|^\.\.\//);
      }
    }
  });

  it('is what the db package tests use, not the pipeline harness under test/', () => {
    for (const file of sourcesUnder('packages/db/src').filter((f) => f.endsWith('.test.ts'))) {
      for (const source of importsOf(file)) {
        expect(source, relative(root, file)).not.toMatch(/\/test\/|^@freiplatz\/(api|ingest|launcher)/);
      }
    }
  });

  it('is never imported by product code', () => {
    const product = ['packages', 'services', 'simulators']
      .flatMap((dir) => readdirSync(join(root, dir)).map((p) => `${dir}/${p}/src`))
      .filter((dir) => dir !== 'packages/testing/src')
      .flatMap(sourcesUnder)
      .filter((f) => !f.endsWith('.test.ts'));
    expect(product.length).toBeGreaterThan(50);
    for (const file of product) expect(importsOf(file), relative(root, file)).not.toContain('@freiplatz/testing');
  });
});
