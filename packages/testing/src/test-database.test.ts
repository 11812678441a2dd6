import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { buildRegistry } from './registry-builder.js';
import { createTestDatabase } from './test-database.js';

async function databaseExists(name: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  try {
    return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

describe('createTestDatabase', () => {
  it('gives each caller its own migrated database and drops it on close', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    expect(a.name).not.toBe(b.name);
    await a.importRegistry(buildRegistry({ id: 'only-in-a', spots: 2 }));
    const count = async (db: typeof a.db) =>
      (await db.selectFrom('facilities').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
    expect([await count(a.db), await count(b.db)]).toEqual([1, 0]);
    await Promise.all([a.close(), b.close()]);
    expect([await databaseExists(a.name), await databaseExists(b.name)]).toEqual([false, false]);
  });

  it('collects the NOTIFY payloads of a channel', async () => {
    const t = await createTestDatabase();
    const listener = await t.listen('test_channel');
    await sql`SELECT pg_notify('test_channel', 'hello')`.execute(t.db);
    await expect.poll(() => listener.payloads).toEqual(['hello']);
    await listener.close();
    await t.close();
  });
});
