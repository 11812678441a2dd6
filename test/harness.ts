import { createSilentLogger } from '@freiplatz/config';
import { createIngestWorker, type IngestWorker, type IngestWorkerOptions } from '@freiplatz/ingest';
import { createTestDatabase, type TestDatabase } from '@freiplatz/testing';
import mqtt, { type MqttClient } from 'mqtt';
import { startBrokerBackend } from './support/broker.js';

export { buildRegistry, type FacilitySpec } from '@freiplatz/testing';

/** The pipeline harness: a test database (@freiplatz/testing) plus a broker and ingest workers. */
export interface Harness extends TestDatabase {
  mqttUrl: string;
  mqttProtocolVersion: 4 | 5;
  /** Which broker this harness runs (mosquitto, aedes, or MQTT_URL). */
  brokerKind: string;
  /** Publishes a payload (objects are sent as JSON) and resolves once the broker has it (QoS 1). */
  publish(topic: string, payload: unknown, qos?: 0 | 1): Promise<void>;
  /** Starts an in-process ingest worker on this harness's database; stopped by `close()`. */
  startIngest(overrides?: Partial<IngestWorkerOptions>): Promise<IngestWorker>;
  close(): Promise<void>;
}

/** Gives a test its own database (from the migrated template), its own broker and an ingest worker on demand. */
export async function createHarness(): Promise<Harness> {
  const database = await createTestDatabase();
  const { name, db } = database;
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
    ...database,
    mqttUrl,
    mqttProtocolVersion,
    brokerKind: broker.kind,
    async publish(topic, payload, qos = 1) {
      publisher ??= mqtt.connectAsync(mqttUrl, { protocolVersion: mqttProtocolVersion, clientId: `test-pub-${name}` });
      const client = await publisher;
      const body = typeof payload === 'string' || payload instanceof Uint8Array ? payload : JSON.stringify(payload);
      await client.publishAsync(topic, Buffer.from(body as string | Uint8Array), { qos });
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
    async close() {
      await Promise.all(workers.map((w) => w.stop(2000)));
      await (await publisher?.catch(() => null))?.endAsync();
      await database.close();
      await broker.stop();
    },
  };
}
