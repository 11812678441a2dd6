import { randomBytes } from 'node:crypto';
import { createSilentLogger } from '@freiplatz/config';
import { createDb, type Db, importRegistry } from '@freiplatz/db';
import { type Facility, parseRegistry, type Registry, type SpotCategory } from '@freiplatz/domain';
import { createIngestWorker, type IngestWorker, type IngestWorkerOptions } from '@freiplatz/ingest';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { inject } from 'vitest';
import './provided-context.js';
import { startBrokerBackend } from './support/broker.js';

export interface Harness {
  /** A fresh, migrated database of this harness alone. */
  databaseUrl: string;
  db: Db;
  mqttUrl: string;
  mqttProtocolVersion: 4 | 5;
  /** Which broker this harness runs (mosquitto, aedes, or MQTT_URL). */
  brokerKind: string;
  /** Publishes a payload (objects are sent as JSON) and resolves once the broker has it (QoS 1). */
  publish(topic: string, payload: unknown, qos?: 0 | 1): Promise<void>;
  /** Imports a registry built with the builders below. */
  importRegistry(registry: Registry): Promise<void>;
  /** Starts an in-process ingest worker on this harness's database; stopped by `close()`. */
  startIngest(overrides?: Partial<IngestWorkerOptions>): Promise<IngestWorker>;
  /** LISTENs on a PostgreSQL channel and collects the payloads that arrive. */
  listen(channel: string): Promise<{ payloads: string[]; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** Gives a test its own database (from the migrated template), the shared broker and helpers. */
export async function createHarness(): Promise<Harness> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const db = createDb({ connectionString: databaseUrl, max: 4 });
  // A private broker per harness: ingest workers subscribe to all bay topics, so a shared one would
  // let test files see each other's events.
  const broker = await startBrokerBackend({ quiet: true });
  const mqttUrl = broker.url;
  const mqttProtocolVersion = broker.protocolVersion;
  // The connecting promise, not the client: publishes started together before the first connection
  // is up must share it. (Each used to open its own client with the same id; the broker then kept
  // taking the id over from one to the next, and mqtt.js resent unacknowledged publishes on each
  // reconnect: the worker received copies, e.g. 5,008 messages for 5,000 published in test:fuzz.)
  let publisher: Promise<MqttClient> | null = null;
  const workers: IngestWorker[] = [];
  return {
    databaseUrl,
    db,
    mqttUrl,
    mqttProtocolVersion,
    brokerKind: broker.kind,
    async publish(topic, payload, qos = 1) {
      publisher ??= mqtt.connectAsync(mqttUrl, { protocolVersion: mqttProtocolVersion, clientId: `test-pub-${name}` });
      const client = await publisher;
      const body = typeof payload === 'string' || payload instanceof Uint8Array ? payload : JSON.stringify(payload);
      await client.publishAsync(topic, Buffer.from(body as string | Uint8Array), { qos });
    },
    async importRegistry(registry) {
      await importRegistry(db, registry);
    },
    async startIngest(overrides = {}) {
      const worker = createIngestWorker({
        db,
        mqttUrl,
        clientId: `test-ingest-${name}-${workers.length}`,
        protocolVersion: mqttProtocolVersion,
        batchSize: 500,
        flushMs: 20,
        maxUnacked: 5000,
        logger: createSilentLogger(),
        ...overrides,
      });
      workers.push(worker);
      await worker.ready;
      return worker;
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
      await Promise.all(workers.map((w) => w.stop(2000)));
      await (await publisher?.catch(() => null))?.endAsync();
      await db.destroy();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
      await broker.stop();
    },
  };
}

export interface FacilitySpec extends Partial<Omit<Facility, 'spots'>> {
  id: string;
  /** Spot categories in order; one bay sensor `<spot id>-s` per spot unless `withoutSensors`. */
  spots?: SpotCategory[] | number;
  withoutSensors?: boolean;
  heartbeatIntervalSeconds?: number;
}

/** Builds a valid registry: facility `x` gets spots `x-1…x-n` and sensors `x-1-s…`. */
export function buildRegistry(...specs: FacilitySpec[]): Registry {
  const input = {
    version: 1,
    facilities: specs.map(({ spots = 3, withoutSensors: _w, heartbeatIntervalSeconds: _h, ...f }) => ({
      name: `Facility ${f.id}`,
      kind: 'car_park',
      location: { lat: 52.13, lon: 11.63 },
      ...f,
      spots: (typeof spots === 'number' ? Array<SpotCategory>(spots).fill('standard') : spots).map((category, i) => ({
        id: `${f.id}-${i + 1}`,
        category,
      })),
    })),
    sensors: specs.flatMap((spec) =>
      spec.withoutSensors
        ? []
        : Array.from({ length: typeof spec.spots === 'number' ? spec.spots : (spec.spots?.length ?? 3) }, (_, i) => ({
            id: `${spec.id}-${i + 1}-s`,
            spotId: `${spec.id}-${i + 1}`,
            ...(spec.heartbeatIntervalSeconds ? { heartbeatIntervalSeconds: spec.heartbeatIntervalSeconds } : {}),
          })),
    ),
  };
  const parsed = parseRegistry(input);
  if (!parsed.ok) throw new Error(`buildRegistry: ${parsed.issues.join('; ')}`);
  return parsed.registry;
}
