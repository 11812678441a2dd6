import { fileURLToPath } from 'node:url';
import type { Registry } from '@freiplatz/domain';
import { readRegistryFile } from './read-registry-file.js';

/** The demo city the tests play (read from the repository's registry folder). */
export function readDemoRegistry(): Promise<Registry> {
  return readRegistryFile(fileURLToPath(new URL('../../../registry/demo-magdeburg.json', import.meta.url)));
}
