import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@freiplatz/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMigrated, MIGRATIONS_DIR, MigrationError, migrate, pendingMigrations } from './migrate.js';

describe('pendingMigrations / assertMigrated (the services check, never migrate)', () => {
  let h: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'freiplatz-migrations-'));
  beforeAll(async () => {
    h = await createTestDatabase();
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds nothing pending on the migrated database', async () => {
    expect(await pendingMigrations(h.databaseUrl, MIGRATIONS_DIR)).toEqual([]);
    await expect(assertMigrated(h.databaseUrl)).resolves.toBeUndefined();
  });

  it('names a new migration as pending and refuses to go on, without applying it', async () => {
    writeFileSync(join(dir, '0001_first.sql'), 'CREATE TABLE migrate_check_a (x int);');
    await migrate(h.databaseUrl, dir);
    writeFileSync(join(dir, '0002_second.sql'), 'CREATE TABLE migrate_check_b (x int);');
    expect(await pendingMigrations(h.databaseUrl, dir)).toEqual(['0002_second.sql']);
    const refused = assertMigrated(h.databaseUrl, dir);
    await expect(refused).rejects.toThrow(MigrationError);
    await expect(refused).rejects.toThrow('schema not migrated: run pnpm db:migrate (pending: 0002_second.sql)');
    expect(await pendingMigrations(h.databaseUrl, dir)).toEqual(['0002_second.sql']);
  });

  it('refuses a migration changed after it was applied', async () => {
    writeFileSync(join(dir, '0001_first.sql'), 'CREATE TABLE migrate_check_a (x bigint);');
    await expect(pendingMigrations(h.databaseUrl, dir)).rejects.toThrow('was changed after it was applied');
  });
});
