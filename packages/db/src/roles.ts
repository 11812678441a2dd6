import pg from 'pg';

type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
/** Table privileges; `UPDATE(col, …)` / `SELECT(col, …)` limit them to those columns. */
type Grant = Privilege | `UPDATE(${string})` | `SELECT(${string})`;

/** The login roles of the services: their names are fixed, their passwords come from the operator. */
export const SERVICE_ROLES = { api: 'freiplatz_api', ingest: 'freiplatz_ingest' } as const;
export type ServiceRole = keyof typeof SERVICE_ROLES;

const registry = ['SELECT', 'INSERT', 'UPDATE'] as const;
const stateWrites = ['SELECT', 'INSERT', 'UPDATE'] as const;

/**
 * What each service may do, relation by relation: exactly the statements its code runs (see the
 * repositories in this package). Nothing else is granted; no role owns anything or may create,
 * alter, drop or truncate. `facility_occupancy_15m` is written by the trigger on
 * `facility_state_samples` (migrations/0004_facility_history.sql), which runs with the caller's
 * rights. A relation that is not a plain table (a TimescaleDB continuous aggregate) gets SELECT only.
 */
export const ROLE_GRANTS: Record<ServiceRole, Record<string, readonly Grant[]>> = {
  api: {
    // The operator API imports the registry and closes facilities (PUT /v1/ops/registry, closures).
    facilities: registry,
    spots: registry,
    sensors: registry,
    sensor_models: registry,
    facility_state: stateWrites,
    facility_state_samples: ['SELECT', 'INSERT'],
    facility_occupancy_15m: stateWrites,
    // A recount marks which sensors it counted; the sensors' readings are ingest's alone.
    sensor_state: ['SELECT', 'UPDATE(counted_status)'],
    occupancy_events: ['SELECT'],
    ingest_rejects: ['SELECT'],
    unassigned_sensors: ['SELECT'],
    // Keys are created and revoked by `pnpm keys:*` as the schema owner; the API only notes their use.
    api_keys: ['SELECT', 'UPDATE(last_used_at)'],
    audit_log: ['SELECT', 'INSERT'],
    // Open data: the publisher and the polled sources come with the registry import (PUT /v1/ops/registry).
    open_data_publisher: registry,
    data_sources: registry,
    // Dashboard sessions: signed in, ended by sign-out, expired ones removed (ops-sessions.repository.ts).
    ops_sessions: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    schema_migrations: ['SELECT'],
  },
  ingest: {
    facilities: ['SELECT'],
    spots: ['SELECT'],
    sensors: ['SELECT'],
    sensor_models: ['SELECT'],
    facility_state: stateWrites,
    facility_state_samples: ['INSERT'],
    facility_occupancy_15m: stateWrites,
    sensor_state: stateWrites,
    occupancy_events: ['SELECT', 'INSERT'],
    // The source poller reads its sources and notes each poll (packages/db/src/open-data.repository.ts).
    open_data_publisher: ['SELECT'],
    data_sources: ['SELECT', 'UPDATE(last_attempt_at, last_success_at, last_status, last_error, etag, last_modified)'],
    // Retention (services/ingest/src/state-sweeper.ts): old rows found by their date and deleted; nothing else read.
    ingest_rejects: ['INSERT', 'DELETE', 'SELECT(id, received_at)'],
    audit_log: ['DELETE', 'SELECT(id, at)'],
    unassigned_sensors: ['SELECT'],
    schema_migrations: ['SELECT'],
  },
};

/** Functions a role may call beyond PostgreSQL's defaults (owner-rights maintenance; see their migrations). */
export const ROLE_FUNCTIONS: Record<ServiceRole, readonly string[]> = {
  api: [],
  // The state sweeper keeps raw events for EVENTS_RETENTION_DAYS (migrations/0017_occupancy_events_retention.sql).
  ingest: ['freiplatz_maintain_event_partitions(interval, timestamptz, integer)'],
};

export interface ProvisionRolesOptions {
  /** Login passwords of the roles (at least 16 characters). */
  passwords: Record<ServiceRole, string>;
}

export interface ProvisionRolesResult {
  created: string[];
  updated: string[];
  /** Relations named in ROLE_GRANTS that this database does not have (yet). */
  missing: string[];
}

/**
 * Creates or updates the service roles and sets their rights to exactly ROLE_GRANTS, in one
 * transaction. Idempotent: run it after every `pnpm db:migrate` (new tables get their grants) and to
 * rotate passwords. Connect as the schema owner.
 */
export async function provisionRoles(connectionString: string, { passwords }: ProvisionRolesOptions): Promise<ProvisionRolesResult> {
  const client = new pg.Client({ connectionString, application_name: 'freiplatz-roles' });
  await client.connect();
  const result: ProvisionRolesResult = { created: [], updated: [], missing: [] };
  try {
    await client.query('BEGIN');
    const { rows: kinds } = await client.query<{ name: string; kind: string }>(
      `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')`,
    );
    const kindOf = new Map(kinds.map((k) => [k.name, k.kind]));
    const { rows: db } = await client.query<{ name: string }>('SELECT current_database() AS name');
    const database = client.escapeIdentifier(db[0]?.name ?? '');
    // Nobody but the owner creates objects in the schema (PostgreSQL 15 already defaults to this).
    await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    for (const [service, role] of Object.entries(SERVICE_ROLES) as Array<[ServiceRole, string]>) {
      const password = passwords[service];
      if (password.length < 16) throw new Error(`the password of ${role} must have at least 16 characters`);
      const name = client.escapeIdentifier(role);
      const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD ${client.escapeLiteral(password)}`;
      await client.query(`${rowCount ? 'ALTER' : 'CREATE'} ROLE ${name} ${attributes}`);
      (rowCount ? result.updated : result.created).push(role);
      await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${name}`);
      await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${name}`);
      await client.query(`REVOKE CREATE ON DATABASE ${database} FROM ${name}`);
      await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${name}`);
      await client.query(`GRANT USAGE ON SCHEMA public TO ${name}`);
      // Identity columns (ingest_rejects, audit_log) draw from sequences.
      await client.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${name}`);
      for (const [relation, grants] of Object.entries(ROLE_GRANTS[service])) {
        const kind = kindOf.get(relation);
        if (!kind) {
          if (!result.missing.includes(relation)) result.missing.push(relation);
          continue;
        }
        const allowed = kind === 'r' || kind === 'p' ? grants : grants.filter((g) => g === 'SELECT');
        if (allowed.length === 0) continue;
        await client.query(`GRANT ${allowed.join(', ')} ON ${client.escapeIdentifier(relation)} TO ${name}`);
      }
      for (const fn of ROLE_FUNCTIONS[service]) await client.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${name}`);
    }
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}
