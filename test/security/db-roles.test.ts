import { randomBytes } from 'node:crypto';
import { createApp } from '@freiplatz/api';
import { createSilentLogger } from '@freiplatz/config';
import { createDb, type Db, deleteExpiredRows, maintainEventPartitions, provisionRoles, ROLE_GRANTS, SERVICE_ROLES } from '@freiplatz/db';
import { findFreePort, TEST_ROLE_PASSWORDS as passwords } from '@freiplatz/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOperatorKey } from '../../services/api/src/cli/operator-keys.js';
import { buildRegistry, createHarness, type Harness } from '../harness.js';
import { REPO_ROOT, startService } from '../support/processes.js';

/** The harness database's URL, logged in as another role. */
const as = (databaseUrl: string, role: string, password: string) => {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password;
  return url.toString();
};

/** Runs one statement as a role and returns the SQLSTATE it failed with, or 'ok'. */
async function attempt(url: string, statement: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  } finally {
    await client.end();
  }
}

const INSUFFICIENT_PRIVILEGE = '42501';

describe('database roles of the services (least privilege)', () => {
  let h: Harness;
  let apiUrl: string;
  let ingestUrl: string;
  const pools: Db[] = [];

  beforeAll(async () => {
    h = await createHarness();
    await h.importRegistry(buildRegistry({ id: 'roles-a', spots: 2 }, { id: 'roles-b', spots: 1 }));
    await provisionRoles(h.databaseUrl, { passwords });
    apiUrl = as(h.databaseUrl, SERVICE_ROLES.api, passwords.api);
    ingestUrl = as(h.databaseUrl, SERVICE_ROLES.ingest, passwords.ingest);
  });
  afterAll(async () => {
    await Promise.all(pools.map((db) => db.destroy()));
    await h?.close();
  });
  const pool = (url: string) => {
    const db = createDb({ connectionString: url, max: 4 });
    pools.push(db);
    return db;
  };

  it('is idempotent: a second run updates the roles and changes nothing else', async () => {
    const again = await provisionRoles(h.databaseUrl, { passwords });
    expect(again).toEqual({ created: [], updated: ['freiplatz_api', 'freiplatz_ingest'], missing: [] });
  });

  it('names every table and view of the migrated schema for each role, so a new table needs a decision', async () => {
    const { rows } = await sql<{ relname: string }>`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition ORDER BY 1`.execute(h.db);
    // Partitions (occupancy_events by day) are reached through their parent's grants.
    const named = new Set([...Object.keys(ROLE_GRANTS.api), ...Object.keys(ROLE_GRANTS.ingest)]);
    expect(rows.map((r) => r.relname).filter((name) => !named.has(name))).toEqual([]);
  });

  it('lets the API role serve what it serves and make the operator writes it makes', async () => {
    const db = pool(apiUrl);
    const app = createApp({ db, logger: createSilentLogger() });
    expect((await app.hono.request('/readyz')).status).toBe(200);
    const list = await app.hono.request('/v1/facilities');
    expect(list.status).toBe(200);
    expect(JSON.stringify(await list.json())).toContain('roles-a');
    expect((await app.hono.request('/v1/facilities/roles-a/availability')).status).toBe(200);
    expect((await app.hono.request('/v1/facilities/roles-a/history')).status).toBeLessThan(300);
    const key = await createOperatorKey(h.db, { name: 'roles test', scopes: ['ops:read', 'registry:write'], facilityIds: [] });
    if (!key.ok) throw new Error(key.message);
    const auth = { Authorization: `Bearer ${key.token}`, 'Content-Type': 'application/json' };
    expect((await app.hono.request('/v1/ops/summary', { headers: auth })).status).toBe(200);
    expect((await app.hono.request('/v1/ops/sensors', { headers: auth })).status).toBe(200);
    const registry = buildRegistry({ id: 'roles-a', name: 'Renamed by the API role', spots: 3 }, { id: 'roles-b', spots: 1 });
    const put = await app.hono.request('/v1/ops/registry', { method: 'PUT', headers: auth, body: JSON.stringify(registry) });
    expect(put.status).toBe(200);
    const close = await app.hono.request('/v1/ops/facilities/roles-b/closures', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ closed: true, reason: 'works' }),
    });
    expect(close.status).toBe(200);
    const audit = await h.db.selectFrom('audit_log').select('action').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['registry.import', 'facility.close']));
  });

  it('refuses the API role any schema change and any write that is not its own', async () => {
    const refused = [
      'CREATE TABLE evil (x int)',
      'CREATE SCHEMA evil',
      'CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$',
      'ALTER TABLE facilities ADD COLUMN evil text',
      'DROP TABLE occupancy_events',
      'TRUNCATE facilities',
      'DELETE FROM facilities',
      'DELETE FROM audit_log',
      'UPDATE audit_log SET action = action',
      "INSERT INTO occupancy_events (sensor_id, ts, seq, received_at) VALUES ('x', now(), 0, now())",
      "INSERT INTO ingest_rejects (topic, payload, code, reason, received_at) VALUES ('t', '', 'c', 'r', now())",
      'UPDATE sensor_state SET occupied = true',
      "UPDATE api_keys SET scopes = '{}'",
      "INSERT INTO schema_migrations (name, checksum) VALUES ('9999_evil.sql', '')",
      'CREATE INDEX evil ON facilities (name)',
    ];
    const results = await Promise.all(refused.map(async (s) => [s, await attempt(apiUrl, s)]));
    expect(results).toEqual(refused.map((s) => [s, INSUFFICIENT_PRIVILEGE]));
  });

  it('lets the ingest role store events and state, and refuses it the registry, the keys and the schema', async () => {
    await h.startIngest({ db: pool(ingestUrl) });
    await h.publish('parking/v1/bays/roles-a-1-s', { occupied: true, ts: Date.now(), seq: 1 });
    await h.publish('parking/v1/bays/roles-a-1-s', 'not json');
    await expect
      .poll(
        async () =>
          (await h.db.selectFrom('sensor_state').select('occupied').where('sensor_id', '=', 'roles-a-1-s').executeTakeFirst())?.occupied,
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
    await expect.poll(async () => (await h.db.selectFrom('ingest_rejects').select('id').execute()).length, { timeout: 10_000 }).toBe(1);
    const refused = [
      'CREATE TABLE evil (x int)',
      'SELECT * FROM api_keys',
      'SELECT * FROM audit_log',
      "INSERT INTO facilities (id, name, kind, lat, lon) VALUES ('evil', 'x', 'car_park', 0, 0)",
      "UPDATE facilities SET name = 'evil'",
      'UPDATE sensors SET spot_id = NULL',
      'DELETE FROM occupancy_events',
      'SELECT * FROM ingest_rejects',
      'ALTER TABLE sensor_state ADD COLUMN evil text',
    ];
    const results = await Promise.all(refused.map(async (s) => [s, await attempt(ingestUrl, s)]));
    expect(results).toEqual(refused.map((s) => [s, INSUFFICIENT_PRIVILEGE]));
  });

  it('lets the ingest role keep raw events for their retention (owner-rights partitions), and nobody else', async () => {
    const now = new Date();
    await expect(maintainEventPartitions(pool(ingestUrl), 180, now, 10)).resolves.toEqual([]);
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'occupancy_events'::regclass`.execute(h.db);
    expect(rows[0]?.n).toBeGreaterThan(8);
    expect(await attempt(apiUrl, "SELECT freiplatz_maintain_event_partitions(INTERVAL '0 days', now())")).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await attempt(ingestUrl, 'CREATE TABLE occupancy_events_p29990101 (LIKE occupancy_events)')).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it('lets the ingest role delete expired dead letters and audit entries without reading them', async () => {
    const old = new Date(Date.now() - 400 * 86_400_000);
    await h.db.insertInto('audit_log').values({ at: old, action: 'key.use', key_id: null }).execute();
    const ingest = pool(ingestUrl);
    expect(await deleteExpiredRows(ingest, 'audit_log', new Date(Date.now() - 365 * 86_400_000), 100)).toBe(1);
    expect(await deleteExpiredRows(ingest, 'ingest_rejects', new Date(Date.now() - 30 * 86_400_000), 100)).toBe(0);
    expect(await attempt(ingestUrl, 'SELECT action FROM audit_log')).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it('has the production API refuse to start on a schema it would have to migrate, and start as its role on a migrated one', async () => {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    const empty = `t_empty_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${empty}`);
    try {
      const emptyUrl = new URL(inject('pgAdminUrl'));
      emptyUrl.pathname = `/${empty}`;
      const port = await findFreePort();
      const base = { PORT: String(port), HOST: '127.0.0.1', LOG_FORMAT: 'json' };
      const refused = startService(`${REPO_ROOT}/services/api/src/main.ts`, { ...base, DATABASE_URL: emptyUrl.toString() });
      expect(await new Promise((resolve) => refused.child.once('exit', resolve))).toBe(1);
      expect(refused.output()).toContain('schema not migrated: run pnpm db:migrate');
      const probe = new pg.Client({ connectionString: emptyUrl.toString() });
      await probe.connect();
      const { rows } = await probe.query(`SELECT to_regclass('schema_migrations') IS NULL AS untouched`);
      await probe.end();
      expect(rows[0]).toEqual({ untouched: true });

      const api = startService(`${REPO_ROOT}/services/api/src/main.ts`, { ...base, DATABASE_URL: apiUrl });
      try {
        await api.waitForOutput('api listening', 60_000);
        expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      } finally {
        await api.kill('SIGTERM');
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`);
      await admin.end();
    }
  }, 120_000);
});
