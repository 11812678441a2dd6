import { migrate } from '@freiplatz/db';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startBrokerBackend } from './support/broker.js';
import { ensureChromium } from './support/browser.js';
import { startPostgresBackend } from './support/postgres.js';

const TEMPLATE = `freiplatz_tpl_${process.pid}`;

/** Starts one PostgreSQL and one broker for the whole run and migrates a template database. */
export default async function setup(project: TestProject) {
  // The browser tests always run: a missing Chromium is installed here or stops the run with what to do.
  ensureChromium();
  const [postgres, broker] = await Promise.all([startPostgresBackend(), startBrokerBackend()]);
  const admin = new pg.Client({ connectionString: postgres.adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE}`);
  const templateUrl = new URL(postgres.adminUrl);
  templateUrl.pathname = `/${TEMPLATE}`;
  await migrate(templateUrl.toString());
  const version = await admin.query<{ server_version: string }>('SHOW server_version');
  console.log(
    `[test] backends: postgres=${postgres.kind} (PostgreSQL ${version.rows[0]?.server_version}), broker=${broker.kind} (${broker.url})`,
  );
  project.provide('pgAdminUrl', postgres.adminUrl);
  project.provide('pgTemplate', TEMPLATE);
  project.provide('mqttUrl', broker.url);
  project.provide('mqttProtocolVersion', broker.protocolVersion);
  project.provide('brokerKind', broker.kind);
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE}`).catch(() => {});
    await admin.end();
    await Promise.all([postgres.stop(), broker.stop()]);
  };
}
