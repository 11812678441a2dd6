import { readFile } from 'node:fs/promises';
import { parseRegistry, type Registry } from '@freiplatz/domain';

/** A registry file that is missing, not JSON, or not a valid registry. */
export class RegistryFileError extends Error {
  override name = 'RegistryFileError';
}

/** Reads and validates a registry JSON file, naming every problem. */
export async function readRegistryFile(path: string): Promise<Registry> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new RegistryFileError(`cannot read registry ${path}: ${(cause as Error).message}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new RegistryFileError(`registry ${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = parseRegistry(json);
  if (!parsed.ok) throw new RegistryFileError(`registry ${path} is invalid:\n  ${parsed.issues.join('\n  ')}`);
  return parsed.registry;
}
