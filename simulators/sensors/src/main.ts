import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { baseEnvSchema, createLogger, parseEnv } from '@freiplatz/config';
import { parseCliArgs, usage } from './cli-args.js';
import { BrokerConnectError, redactUrl } from './connect-client.js';
import { parseCredentialsCsv } from './credentials-file.js';
import { readRegistryFile } from './read-registry-file.js';
import { runReplay } from './replay-command.js';
import type { SimProgress } from './sim-stats.js';
import { createSimulator } from './simulator.js';

const env = parseEnv(baseEnvSchema, process.env);
const mqttOptions = {
  ...(env.MQTT_USERNAME === undefined ? {} : { username: env.MQTT_USERNAME }),
  ...(env.MQTT_PASSWORD === undefined ? {} : { password: env.MQTT_PASSWORD }),
};
if (process.argv[2] === 'replay') await runReplay(process.argv.slice(3), env.MQTT_URL ?? 'mqtt://127.0.0.1:1883', mqttOptions);
const parsed = parseCliArgs(process.argv.slice(2), {
  url: env.MQTT_URL ?? 'mqtt://127.0.0.1:1883',
  registryPath: fileURLToPath(new URL('../../../registry/demo-magdeburg.json', import.meta.url)),
});
if (!parsed.ok) {
  process.stderr.write(`sim: ${parsed.message}\nRun with --help for usage.\n`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const options = parsed.options;
const registry = await readRegistryFile(options.registryPath).catch((err: Error) => {
  process.stderr.write(`sim: ${err.message}\n`);
  process.exit(1);
});

const caFile = options.caFile ?? env.MQTT_CA_FILE;
let ca: Buffer | undefined;
let credentials: Map<string, string> | undefined;
try {
  ca = caFile === undefined ? undefined : readFileSync(caFile);
  credentials = options.credentialsFile === undefined ? undefined : parseCredentialsCsv(readFileSync(options.credentialsFile, 'utf8'));
} catch (err) {
  process.stderr.write(`sim: ${(err as Error).message}\n`);
  process.exit(1);
}

const simClock = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  weekday: 'short',
  dateStyle: undefined,
  hour: '2-digit',
  minute: '2-digit',
  day: '2-digit',
  month: '2-digit',
});
const bounds = [
  options.maxEvents === undefined ? null : `${options.maxEvents} events`,
  options.durationSeconds === undefined ? null : `${options.durationSeconds} s`,
].filter((b) => b !== null);
process.stderr.write(
  `Freiplatz sensor simulator: ${registry.sensors.length} sensors in ${registry.facilities.length} facilities → ${redactUrl(options.url)}\n` +
    `speed ×${options.speed}, QoS ${options.qos}, seed ${options.seed}, format ${options.format}` +
    `${Object.keys(options.faults).length > 0 ? `, faults ${JSON.stringify(options.faults)}` : ''}; ` +
    `${bounds.length > 0 ? `stops after ${bounds.join(' or ')}` : 'runs until Ctrl-C'}\n`,
);

const printProgress = (p: SimProgress): void => {
  process.stderr.write(
    `sim: ${p.eventsSent} events, ${p.ratePerSecond.toFixed(1)}/s, occupancy ${(p.occupancy * 100).toFixed(1)} %, sim clock ${simClock.format(p.simTime)}\n`,
  );
};
const startSimulator = async (protocolVersion: 4 | 5) => {
  const simulator = createSimulator({
    mqttUrl: options.url,
    registry,
    speed: options.speed,
    qos: options.qos,
    seed: options.seed,
    format: options.format,
    faults: options.faults,
    ...(options.durationSeconds === undefined ? {} : { durationSeconds: options.durationSeconds }),
    ...(options.maxEvents === undefined ? {} : { maxEvents: options.maxEvents }),
    onProgress: printProgress,
    logger: createLogger({ name: 'sim', level: process.env.LOG_LEVEL ? env.LOG_LEVEL : 'warn' }),
    ...(credentials === undefined ? {} : { credentials }),
    mqttOptions: {
      protocolVersion,
      ...(ca === undefined ? {} : { ca }),
      ...(env.MQTT_USERNAME === undefined ? {} : { username: env.MQTT_USERNAME }),
      ...(env.MQTT_PASSWORD === undefined ? {} : { password: env.MQTT_PASSWORD }),
    },
  });
  await simulator.start();
  return simulator;
};

let protocolVersion: 4 | 5 = options.mqttVersion ?? 5;
let simulator: Awaited<ReturnType<typeof startSimulator>>;
try {
  simulator = await startSimulator(protocolVersion).catch(async (err: unknown) => {
    // A broker that speaks only MQTT 3.1.1 (the embedded Aedes of `pnpm start`) closes an MQTT 5 CONNECT.
    if (options.mqttVersion !== undefined || !(err instanceof BrokerConnectError)) throw err;
    protocolVersion = 4;
    return startSimulator(4);
  });
} catch (err) {
  process.stderr.write(`sim: ${(err as Error).message}\n`);
  process.exit(1);
}
if (protocolVersion === 4 && options.qos === 1) {
  process.stderr.write(
    'sim: MQTT 3.1.1: a broker that refuses a message (ACL) still acknowledges it, so "acknowledged" below cannot show refusals; use --mqtt-version 5\n',
  );
}

let signals = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  signals++;
  // Ctrl-C under pnpm arrives twice (from the terminal and relayed by pnpm): force only on a third.
  if (signals > 2) process.exit(130);
  if (signals > 1) return;
  process.stderr.write(`sim: ${signal}, stopping (twice more to force)\n`);
  void simulator.stop();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const stats = await simulator.done;
process.stderr.write(
  `sim: stopped (${stats.stopReason}): ${stats.eventsSent} sent (${stats.initialSent} initial, ${stats.changesSent} changes, ` +
    `${stats.heartbeatsSent} heartbeats), ${stats.delivered} ${options.qos === 1 ? 'acknowledged by the broker' : 'written (QoS 0: not acknowledged)'}, ${stats.failed} refused or failed in ${stats.elapsedSeconds.toFixed(1)} s\n`,
);
process.exit(stats.stopReason === 'error' || stats.failed > 0 ? 1 : 0);
