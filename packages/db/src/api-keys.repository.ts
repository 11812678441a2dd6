import type { Kysely } from 'kysely';
import type { Database } from './database.js';

/** A stored operator key: never the key itself, only its scrypt hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  secretHash: string;
  scopes: string[];
  /** null = every facility. */
  facilityIds: string[] | null;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const columns = ['id', 'name', 'secret_hash', 'scopes', 'facility_ids', 'created_at', 'revoked_at', 'last_used_at'] as const;

function mapRow(r: {
  id: string;
  name: string;
  secret_hash: string;
  scopes: string[];
  facility_ids: string[] | null;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    secretHash: r.secret_hash,
    scopes: r.scopes,
    facilityIds: r.facility_ids,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

/** Stores a new key (its id and the hash of its secret). */
export async function insertApiKey(
  db: Kysely<Database>,
  key: { id: string; name: string; secretHash: string; scopes: readonly string[]; facilityIds: readonly string[] | null },
): Promise<ApiKeyRecord> {
  const row = await db
    .insertInto('api_keys')
    .values({
      id: key.id,
      name: key.name,
      secret_hash: key.secretHash,
      scopes: [...key.scopes],
      facility_ids: key.facilityIds ? [...key.facilityIds] : null,
      revoked_at: null,
      last_used_at: null,
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return mapRow(row);
}

/** Finds a key by its lookup id (one row), revoked or not. */
export async function findApiKey(db: Kysely<Database>, id: string): Promise<ApiKeyRecord | undefined> {
  const row = await db.selectFrom('api_keys').select(columns).where('id', '=', id).executeTakeFirst();
  return row ? mapRow(row) : undefined;
}

/** Lists keys, newest first (hashes included: callers must not show them). */
export async function listApiKeys(db: Kysely<Database>): Promise<ApiKeyRecord[]> {
  const rows = await db.selectFrom('api_keys').select(columns).orderBy('created_at', 'desc').execute();
  return rows.map(mapRow);
}

/** Revokes a key at once; false when there is no such active key. */
export async function revokeApiKey(db: Kysely<Database>, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Notes when a key was last used. */
export async function touchApiKey(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}
