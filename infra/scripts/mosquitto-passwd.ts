import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** Mosquitto 2's default: `$7$` = PBKDF2-SHA512, 101 iterations, 12-byte salt, 64-byte hash. */
const PREFIX = '7';
const DEFAULT_ITERATIONS = 101;
const SALT_BYTES = 12;
const HASH_BYTES = 64;

/**
 * Hashes a password the way `mosquitto_passwd` does. The iteration count is mosquitto's default:
 * passwords made by the provisioning script are random (144 bits), so stretching adds nothing but
 * CPU on every sensor's CONNECT.
 */
export function hashMosquittoPassword(password: string, options: { salt?: Buffer; iterations?: number } = {}): string {
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  const hash = pbkdf2Sync(password, salt, iterations, HASH_BYTES, 'sha512');
  return `$${PREFIX}$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Checks a password against a `$7$` hash in constant time. */
export function verifyMosquittoPassword(password: string, encoded: string): boolean {
  const [, prefix, iterations, salt, hash] = encoded.split('$');
  if (prefix !== PREFIX || !iterations || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = pbkdf2Sync(password, Buffer.from(salt, 'base64'), Number(iterations), expected.length, 'sha512');
  return expected.length === HASH_BYTES && timingSafeEqual(expected, actual);
}

/** Reads a mosquitto password file into username → hash (blank lines and comments skipped). */
export function parsePasswordFile(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const colon = trimmed.indexOf(':');
    if (colon <= 0) throw new Error(`password file: malformed line "${trimmed.slice(0, 40)}"`);
    entries.set(trimmed.slice(0, colon), trimmed.slice(colon + 1));
  }
  return entries;
}

/** Writes username → hash entries as a mosquitto password file, sorted by username. */
export function formatPasswordFile(entries: Map<string, string>): string {
  return [...entries]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([user, hash]) => `${user}:${hash}\n`)
    .join('');
}
