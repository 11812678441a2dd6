import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** Scopes an operator key can carry. */
export const apiKeyScopes = ['ops:read', 'registry:write'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

// scrypt cost: N=2^15, r=8, p=1 (~32 MiB, tens of ms): slow enough against guessing, once per key per cache lifetime.
const SCRYPT = { N: 32_768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LEN = 32;
const PREFIX = 'fpk';
const KEY_ID = '[a-z0-9]{12}';
/** A key's public id: the `<id>` of `fpk_<id>_<secret>`, as the audit log names keys. */
export const API_KEY_ID_PATTERN = new RegExp(`^${KEY_ID}$`);
const TOKEN = new RegExp(`^${PREFIX}_(${KEY_ID})_([A-Za-z0-9_-]{43})$`);

function scryptAsync(secret: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LEN, { ...params, maxmem: SCRYPT.maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Splits a presented key into its lookup id and secret; null when it is not shaped like one of ours. */
export function parseApiKey(token: string): { id: string; secret: string } | null {
  const m = TOKEN.exec(token);
  return m?.[1] && m[2] ? { id: m[1], secret: m[2] } : null;
}

/** Makes a new key: `fpk_<id>_<secret>`; only `secretHash` is ever stored. */
export async function generateApiKey(): Promise<{ id: string; token: string; secretHash: string }> {
  const id = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${PREFIX}_${id}_${secret}`, secretHash: await hashSecret(secret) };
}

/** scrypt hash in a self-describing form: `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Checks a secret against a stored hash in constant time. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A fast fingerprint of a presented key, for the in-memory cache of keys already verified. */
export function fingerprintKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
