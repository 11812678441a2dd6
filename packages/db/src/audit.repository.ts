import type { Kysely } from 'kysely';
import type { Database } from './database.js';

/**
 * Every action the audit log records, in one place: both doors into the operator functions (the
 * bearer API and the dashboard) write the same name for the same thing.
 */
export const auditActions = [
  'key.create',
  'key.revoke',
  'key.use',
  'auth.failed',
  'auth.login',
  'auth.logout',
  'registry.import',
  'facility.close',
  'facility.reopen',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** One line of the audit log: a key use, a failed authentication, a registry write. */
export interface AuditEntry {
  action: AuditAction;
  keyId: string | null;
  method?: string | null;
  path?: string | null;
  status?: number | null;
  facilityId?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditRecord extends Omit<Required<AuditEntry>, 'action'> {
  /** A string: older rows may hold names no longer written. */
  action: string;
  id: number;
  at: Date;
}

/** Appends entries to the audit log. */
export async function insertAuditEntries(db: Kysely<Database>, entries: readonly AuditEntry[], now: Date): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('audit_log')
    .values(
      entries.map((e) => ({
        at: now,
        action: e.action,
        key_id: e.keyId,
        method: e.method ?? null,
        path: e.path ?? null,
        status: e.status ?? null,
        facility_id: e.facilityId ?? null,
        detail: JSON.stringify(e.detail ?? {}),
      })),
    )
    .execute();
}

/** Reads the audit log newest first; `beforeId` pages back. */
export async function listAuditEntries(
  db: Kysely<Database>,
  options: { limit: number; beforeId?: number; keyId?: string; action?: string },
): Promise<AuditRecord[]> {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(options.limit);
  if (options.beforeId !== undefined) q = q.where('id', '<', options.beforeId);
  if (options.keyId !== undefined) q = q.where('key_id', '=', options.keyId);
  if (options.action !== undefined) q = q.where('action', '=', options.action);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    action: r.action,
    keyId: r.key_id,
    method: r.method,
    path: r.path,
    status: r.status,
    facilityId: r.facility_id,
    detail: r.detail,
  }));
}
