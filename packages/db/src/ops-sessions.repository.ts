import type { Kysely } from 'kysely';
import { type ApiKeyRecord, findApiKey } from './api-keys.repository.js';
import type { Database } from './database.js';

/** Stores a new dashboard session (by the hash of its token) and drops sessions expired a day ago. */
export async function insertOpsSession(
  db: Kysely<Database>,
  session: { tokenHash: string; keyId: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  await db
    .deleteFrom('ops_sessions')
    .where('expires_at', '<', new Date(now.getTime() - 86_400_000))
    .execute();
  await db
    .insertInto('ops_sessions')
    .values({ token_hash: session.tokenHash, key_id: session.keyId, created_at: now, expires_at: session.expiresAt, revoked_at: null })
    .execute();
}

/** The key of a live session (not expired, not ended), revoked or not: callers check the key. */
export async function findOpsSessionKey(db: Kysely<Database>, tokenHash: string, now: Date): Promise<ApiKeyRecord | undefined> {
  const row = await db
    .selectFrom('ops_sessions')
    .select('key_id')
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? findApiKey(db, row.key_id) : undefined;
}

/** Ends a session at once; false when it was not live. */
export async function revokeOpsSession(db: Kysely<Database>, tokenHash: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('ops_sessions')
    .set({ revoked_at: now })
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
