import { createApi } from '@freiplatz/api';
import { createLogger, isPrettyFormat, launcherEnvSchema, parseEnvOrExit } from '@freiplatz/config';
import {
  createDb,
  importRegistry,
  isRegistryEmpty,
  locateDatabase,
  migrate,
  startEmbeddedPostgres,
  upsertDataSources,
} from '@freiplatz/db';
import { startIngest } from '@freiplatz/ingest';
import { createSimulator, parseFaultRates, startGuidanceFeed } from '@freiplatz/sim-sensors';
import { loadDemoRegistry } from './demo-registry.js';
import { startEmbeddedBroker } from './embedded-broker.js';
import { describeStartupFailure } from './startup-failure.js';

const env = parseEnvOrExit(launcherEnvSchema, process.env, 'start');
const faults = parseFaultRates(env.SIMULATOR_FAULTS);
if (!faults.ok) {
  process.stderr.write(`SIMULATOR_FAULTS: ${faults.message.replace('--faults: ', '')}\n`);
  process.exit(2);
}
const logger = createLogger({
  level: env.LOG_LEVEL,
  name: 'freiplatz',
  pretty: isPrettyFormat(env.LOG_FORMAT),
});
const stops: Array<{ name: string; stop: () => Promise<unknown> }> = [];
let stopping: Promise<never> | null = null;

/** Stops everything started so far, newest first, so no postgres process is left behind. */
function shutdown(code: number): Promise<never> {
  stopping ??= (async () => {
    for (const { name, stop } of stops.reverse()) {
      await stop().catch((err: unknown) => logger.warn({ err, part: name }, 'stop failed'));
    }
    process.exit(code);
  })();
  return stopping;
}
// Ctrl-C reaches us twice (from the terminal and relayed by pnpm): one shutdown; a third signal forces the exit.
let signals = 0;
const onSignal = (): void => {
  signals++;
  if (signals >= 3) {
    logger.warn('forced to stop: PostgreSQL may still be running');
    process.exit(130);
  }
  void shutdown(0);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  const database = locateDatabase(env);
  const databaseUrl = database.url;
  if (database.embedded) {
    const { dataDir, port } = database;
    logger.info({ dataDir, port }, 'starting embedded PostgreSQL');
    const pg = await startEmbeddedPostgres({
      dataDir,
      port,
      onLog: (line) => logger.debug({ module: 'postgres' }, line),
      onPlaced: (placed) =>
        logger.info(
          placed,
          `PostgreSQL's user cannot reach ${dataDir} or node_modules (a private directory, running as root): running it from ${placed.binDir} with its data in ${placed.clusterDir}`,
        ),
    });
    stops.push({ name: 'postgres', stop: pg.stop });
  }
  const brokerCredentials =
    env.MQTT_USERNAME !== undefined && env.MQTT_PASSWORD !== undefined
      ? { username: env.MQTT_USERNAME, password: env.MQTT_PASSWORD }
      : null;
  let mqttUrl = env.MQTT_URL;
  let protocolVersion = env.MQTT_PROTOCOL_VERSION;
  if (!mqttUrl) {
    // With MQTT_USERNAME and MQTT_PASSWORD set, the embedded broker accepts only those credentials (the worker's).
    const broker = await startEmbeddedBroker({
      port: env.MQTT_PORT,
      host: '127.0.0.1',
      ...(brokerCredentials ? { credentials: brokerCredentials } : {}),
    });
    stops.push({ name: 'broker', stop: broker.stop });
    mqttUrl = broker.url;
    protocolVersion = 4; // Aedes speaks MQTT 3.1.1
    logger.info({ url: mqttUrl }, 'embedded MQTT broker (Aedes) listening');
  }
  const migrations = await migrate(databaseUrl);
  logger.info({ applied: migrations.applied }, 'database migrated');
  const registry = await loadDemoRegistry();
  // A pool for setting up the demo only, closed before the services open their own.
  const setup = createDb({ connectionString: databaseUrl, max: 2, applicationName: 'freiplatz' });
  try {
    if (await isRegistryEmpty(setup)) {
      const imported = await importRegistry(setup, registry);
      logger.info({ facilities: imported.facilities, spots: imported.spots }, 'imported the demo city (Magdeburg)');
    }
    // The demo's car-park guidance system (P+R Messe), polled by the ingest service like a real one.
    const demoSource = registry.sources.find((s) => s.id === 'parkleitsystem');
    if (env.SIMULATOR === 'on' && demoSource) {
      const feed = await startGuidanceFeed({ siteId: 'PR-MESSE', kind: 'park_and_ride', capacity: 76 });
      stops.push({ name: 'guidance feed', stop: feed.close });
      await upsertDataSources(setup, [{ ...demoSource, url: feed.url }]);
    }
  } finally {
    await setup.destroy();
  }

  // The services as production runs them (their own composition roots), on the embedded parts.
  const services = { ...env, DATABASE_URL: databaseUrl, MQTT_URL: mqttUrl, MQTT_PROTOCOL_VERSION: protocolVersion };
  const ingest = await startIngest(services, { logger: logger.child({ module: 'ingest' }), processEnv: process.env });
  stops.push({ name: 'ingest', stop: ingest.close });
  await ingest.ready;
  const api = await createApi(services, { logger: logger.child({ module: 'api' }) });
  stops.push({ name: 'api', stop: api.close });
  const server = await api.ready;

  if (env.SIMULATOR === 'on') {
    const sim = createSimulator({
      mqttUrl,
      registry,
      speed: env.SIMULATOR_SPEED,
      faults: faults.rates,
      mqttOptions: { protocolVersion, ...(brokerCredentials ?? {}) },
      logger: logger.child({ module: 'simulator' }),
    });
    stops.push({ name: 'simulator', stop: () => sim.stop() });
    await sim.start();
  }
  const lines = [
    '',
    'Freiplatz is running:',
    `  web page     ${server.url}/`,
    `  signage      ${server.url}/signage/petrifoerder`,
    `  API          ${server.url}/v1/facilities`,
    `  sign API     ${server.url}/v1/facilities/<id>/availability`,
    `  open data    ${server.url}/v1/exports/datex2/parking-status  (also /v1/exports/parkapi/v3/parking-sites, /ngsi-ld/v1/entities?type=OffStreetParking)`,
    `  health       ${server.url}/healthz`,
    `  MQTT         ${mqttUrl}  (topics parking/v1/bays/<sensorId>)`,
    `  simulator    ${env.SIMULATOR === 'on' ? `on, ${env.SIMULATOR_SPEED}× speed${env.SIMULATOR_FAULTS ? `, faults ${env.SIMULATOR_FAULTS}` : ''} (SIMULATOR=off to disable)` : 'off'}`,
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (err) {
  const metricsPort = env.INGEST_METRICS_PORT === undefined ? {} : { INGEST_METRICS_PORT: env.INGEST_METRICS_PORT };
  const explained = describeStartupFailure(err, { PORT: env.PORT, MQTT_PORT: env.MQTT_PORT, ...metricsPort });
  if (explained) {
    logger.debug({ err }, 'start-up failed');
    logger.fatal(`start-up failed: ${explained}`);
  } else logger.fatal({ err }, 'start-up failed');
  await shutdown(1);
}
