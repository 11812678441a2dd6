import { readFileSync, rmSync } from 'node:fs';
import type { Registry } from '@freiplatz/domain';
import { sql } from 'kysely';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { hashMosquittoPassword } from '../../../infra/scripts/mosquitto-passwd.js';
import { provisionBrokerCredentials } from '../../../infra/scripts/provision.js';
import { createHarness, type Harness } from '../../harness.js';
import { REPO_ROOT } from '../../support/processes.js';
import { makeTestCertificates, type SecureMosquitto, startSecureMosquitto, type TestCertificates } from './secure-mosquitto.js';

export interface SecurePipeline {
  harness: Harness;
  broker: SecureMosquitto;
  certs: TestCertificates;
  /** Clear-text passwords the provisioning issued, by username. */
  passwords: Map<string, string>;
  /** Connects over TLS with the test CA; rejects if the broker refuses. */
  connect(username: string | undefined, password: string | undefined, options?: Partial<IClientOptions>): Promise<MqttClient>;
  /** Provisions again for a changed registry (existing passwords kept) and makes the broker reload. */
  reprovision(registry: Registry): Promise<{ revoked: string[] }>;
  /** Events and dead letters stored for a sensor (by topic). */
  countStored(sensorId: string): Promise<{ events: number; states: number; rejects: number }>;
  close(): Promise<void>;
}

/** A harness database, a registry imported into it, and Mosquitto with infra/mosquitto's configuration and provisioned accounts. */
export async function createSecurePipeline(
  registry: Registry,
  options: {
    ingestWorkers?: number;
    brokerOverrides?: Record<string, string>;
    /** Test-only accounts added to the provisioned ones: username -> password and ACL lines. */
    extraAccounts?: Record<string, { password: string; acl: string[] }>;
  } = {},
): Promise<SecurePipeline> {
  const certs = makeTestCertificates();
  const staticAcl = readFileSync(`${REPO_ROOT}/infra/mosquitto/acl`, 'utf8');
  const ingestWorkers = options.ingestWorkers ?? 2;
  const provisioned = provisionBrokerCredentials({ registry, staticAcl, ingestWorkers });
  const extra = Object.entries(options.extraAccounts ?? {});
  let passwd = provisioned.passwd + extra.map(([user, a]) => `${user}:${hashMosquittoPassword(a.password)}\n`).join('');
  const broker = await startSecureMosquitto({
    passwd,
    acl: provisioned.acl + extra.map(([user, a]) => `\nuser ${user}\n${a.acl.join('\n')}\n`).join(''),
    certs,
    ...(options.brokerOverrides ? { overrides: options.brokerOverrides } : {}),
  });
  const harness = await createHarness();
  await harness.importRegistry(registry);
  const ca = readFileSync(certs.caFile);
  const clients: MqttClient[] = [];
  return {
    harness,
    broker,
    certs,
    passwords: new Map(provisioned.issued.map((c) => [c.username, c.password])),
    async connect(username, password, extra = {}) {
      const client = await mqtt.connectAsync(broker.url, {
        ca,
        protocolVersion: 5,
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...(username !== undefined ? { username } : {}),
        ...(password !== undefined ? { password } : {}),
        ...extra,
      });
      clients.push(client);
      return client;
    },
    async reprovision(next) {
      const again = provisionBrokerCredentials({ registry: next, staticAcl, ingestWorkers, existingPasswd: passwd });
      passwd = again.passwd;
      await broker.reloadPasswords(passwd);
      return { revoked: again.revoked };
    },
    async countStored(sensorId) {
      const { rows } = await sql<{ events: number; states: number; rejects: number }>`
        SELECT (SELECT count(*)::int FROM occupancy_events WHERE sensor_id = ${sensorId}) AS events,
               (SELECT count(*)::int FROM sensor_state WHERE sensor_id = ${sensorId}) AS states,
               (SELECT count(*)::int FROM ingest_rejects WHERE topic LIKE ${`%/${sensorId}`}) AS rejects`.execute(harness.db);
      return rows[0] ?? { events: 0, states: 0, rejects: 0 };
    },
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await harness.close();
      await broker.dispose();
      rmSync(certs.dir, { recursive: true, force: true });
    },
  };
}
