import { migrate } from '@freiplatz/db';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startPostgresBackend } from './postgres-backend.js';
import './provided-context.js';

export interface TestPostgres {
  /** Which server runs, with its version, for the run's first log line. */
  description: string;
  stop(): Promise<void>;
}

/** For a vitest globalSetup: starts the run's PostgreSQL, migrates a template database and provides both. */
export async function setupTestPostgres(project: Pick<TestProject, 'provide'>): Promise<TestPostgres> {
  const template = `freiplatz_tpl_${process.pid}`;
  const postgres = await startPostgresBackend();
  const admin = new pg.Client({ connectionString: postgres.adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const templateUrl = new URL(postgres.adminUrl);
  templateUrl.pathname = `/${template}`;
  await migrate(templateUrl.toString());
  const version = await admin.query<{ server_version: string }>('SHOW server_version');
  project.provide('pgAdminUrl', postgres.adminUrl);
  project.provide('pgTemplate', template);
  return {
    description: `${postgres.kind} (PostgreSQL ${version.rows[0]?.server_version})`,
    async stop() {
      await admin.query(`DROP DATABASE IF EXISTS ${template}`).catch(() => {});
      await admin.end();
      await postgres.stop();
    },
  };
}
