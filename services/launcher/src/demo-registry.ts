import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseRegistry, type Registry } from '@freiplatz/domain';

/** The demo city shipped with the repository. */
export const DEMO_REGISTRY_PATH = fileURLToPath(new URL('../../../registry/demo-magdeburg.json', import.meta.url));

/** Reads and validates the demo city registry. */
export async function loadDemoRegistry(path = DEMO_REGISTRY_PATH): Promise<Registry> {
  const parsed = parseRegistry(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.ok) throw new Error(`${path} is not a valid registry: ${parsed.issues.join('; ')}`);
  return parsed.registry;
}
