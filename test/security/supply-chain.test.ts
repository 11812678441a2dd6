import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateCycloneDxJson } from '../../infra/scripts/cyclonedx-validate.js';
import { REPO_ROOT } from '../support/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'freiplatz-sbom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Component {
  name: string;
  group?: string;
  version: string;
  purl?: string;
  components?: Component[];
}
const flatten = (components: Component[] = []): Component[] => components.flatMap((c) => [c, ...flatten(c.components)]);

describe('SBOM', () => {
  it('pnpm sbom writes a CycloneDX 1.6 document that lists the runtime dependencies and validates against the schema', async () => {
    const out = join(dir, 'sbom.cdx.json');
    const summary = execFileSync(process.execPath, ['--import', 'tsx', 'infra/scripts/sbom.ts', '--out', out], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(JSON.parse(summary)).toMatchObject({ valid: true, specVersion: '1.6' });
    const bom = JSON.parse(readFileSync(out, 'utf8')) as { bomFormat: string; specVersion: string; components: Component[] };
    expect(await validateCycloneDxJson(bom)).toBeNull();
    expect([bom.bomFormat, bom.specVersion]).toEqual(['CycloneDX', '1.6']);
    const purls = new Set(flatten(bom.components).map((c) => c.purl?.split('?')[0]));
    for (const dep of ['pkg:npm/mqtt@5.16.0', 'pkg:npm/pg@8.23.1', 'pkg:npm/kysely@0.28.19']) expect(purls).toContain(dep);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'services/api/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(purls).toContain(`pkg:npm/hono@${manifest.dependencies.hono}`);
  }, 120_000);

  it('the schema check rejects a document that is not valid CycloneDX', async () => {
    const bad = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'not-a-type', name: 'x' }] };
    expect(await validateCycloneDxJson(bad)).not.toBeNull();
  });
});
