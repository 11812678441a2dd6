import { randomBytes } from 'node:crypto';
import { createDb, type Db, importRegistry } from '@freiplatz/db';
import type { Registry } from '@freiplatz/domain';
import pg from 'pg';
import { inject } from 'vitest';
import './provided-context.js';

export interface TestDatabase {
  /** The database's name, unique to this run (usable in client ids). */
  name: string;
  /** A fresh, migrated database of this test file alone. */
  databaseUrl: string;
  db: Db;
  /** Imports a registry (see buildRegistry). */
  importRegistry(registry: Registry): Promise<void>;
  /** LISTENs on a PostgreSQL channel and collects the payloads that arrive. */
  listen(channel: string): Promise<{ payloads: string[]; close(): Promise<void> }>;
  /** Closes the pool and drops the database. */
  close(): Promise<void>;
}

async function asAdmin(query: string): Promise<void> {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  try {
    await admin.query(query);
  } finally {
    await admin.end();
  }
}

/** Creates a database from the run's migrated template (see setupTestPostgres) with a Kysely pool on it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await asAdmin(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const db = createDb({ connectionString: databaseUrl, max: 4 });
  return {
    name,
    databaseUrl,
    db,
    async importRegistry(registry) {
      await importRegistry(db, registry);
    },
    async listen(channel) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const payloads: string[] = [];
      client.on('notification', (n) => {
        if (n.channel === channel) payloads.push(n.payload ?? '');
      });
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      return { payloads, close: () => client.end() };
    },
    async close() {
      await db.destroy();
      await asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
