import { fileURLToPath } from 'node:url';
import type { Registry } from '@freiplatz/domain';
import { readRegistryFile } from './read-registry-file.js';

/** The demo city the tests play (read from the repository's registry folder). */
export function readDemoRegistry(): Promise<Registry> {
  return readRegistryFile(fileURLToPath(new URL('../../../registry/demo-magdeburg.json', import.meta.url)));
}

/** The same city with every sensor on native topics (no network-server bindings): what tests of the native wire format play. */
export async function readNativeDemoRegistry(): Promise<Registry> {
  const registry = await readDemoRegistry();
  return { ...registry, sensors: registry.sensors.map(({ lorawan: _lorawan, ...sensor }) => sensor) };
}
