import { type Db, insertApiKey, insertAuditEntries, revokeApiKey } from '@freiplatz/db';
import { slugSchema } from '@freiplatz/domain';
import { type ApiKeyScope, apiKeyScopes, generateApiKey } from '../middleware/auth/api-key.js';

export interface CreateKeyInput {
  name: string;
  scopes: readonly string[];
  /** Facilities the key is limited to; empty = every facility. */
  facilityIds: readonly string[];
}

export type CreateKeyResult = { ok: true; id: string; token: string } | { ok: false; message: string };

/** Checks the input, makes a key, stores only its hash, audits the creation; the token is returned once. */
export async function createOperatorKey(db: Db, input: CreateKeyInput, now = new Date()): Promise<CreateKeyResult> {
  const problems: string[] = [];
  if (!/^[\p{L}\p{N} _.@-]{1,100}$/u.test(input.name)) problems.push('--name must be 1–100 letters, digits, spaces or _ . @ -');
  if (input.scopes.length === 0) problems.push(`--scope is required (${apiKeyScopes.join(', ')})`);
  for (const s of input.scopes)
    if (!(apiKeyScopes as readonly string[]).includes(s)) problems.push(`unknown scope "${s}" (${apiKeyScopes.join(', ')})`);
  for (const f of input.facilityIds) if (!slugSchema.safeParse(f).success) problems.push(`--facility "${f}" is not a facility id`);
  if (problems.length === 0 && input.facilityIds.length > 0) {
    const found = await db
      .selectFrom('facilities')
      .select('id')
      .where('id', 'in', [...input.facilityIds])
      .execute();
    const known = new Set(found.map((r) => r.id));
    for (const f of input.facilityIds) if (!known.has(f)) problems.push(`no facility "${f}"`);
  }
  if (problems.length > 0) return { ok: false, message: problems.join('\n') };
  const key = await generateApiKey();
  const scopes = [...new Set(input.scopes)] as ApiKeyScope[];
  const facilityIds = input.facilityIds.length > 0 ? [...new Set(input.facilityIds)] : null;
  await insertApiKey(db, { id: key.id, name: input.name, secretHash: key.secretHash, scopes, facilityIds });
  await insertAuditEntries(db, [{ action: 'key.create', keyId: key.id, detail: { name: input.name, scopes, facilityIds } }], now);
  return { ok: true, id: key.id, token: key.token };
}

/** Revokes a key (effective on the next request) and audits it. */
export async function revokeOperatorKey(db: Db, id: string, now = new Date()): Promise<boolean> {
  const revoked = await revokeApiKey(db, id, now);
  if (revoked) await insertAuditEntries(db, [{ action: 'key.revoke', keyId: id }], now);
  return revoked;
}
