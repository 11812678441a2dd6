import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseRegistry } from '@freiplatz/domain';
import { startLocalCluster } from './cluster/start-cluster.js';

const usage = `usage: pnpm cluster:local [--dir DIR] [--registry FILE.json]

Starts the production topology on 127.0.0.1, without Docker, from the repository's own files:
an embedded PostgreSQL, Mosquitto with infra/mosquitto/mosquitto.conf over TLS (certificates from
infra/tls/make-certs.sh, accounts from the provisioning), two ingest workers on two slots, two API
replicas and nginx (Debian's; apt-get install nginx mosquitto) with infra/nginx/nginx.conf, each on
a free port. Run it as root (or as a user that may start Mosquitto and nginx): the broker then
drops to its own user, as in production. Everything is written under DIR (default .cluster):
logs/, issued.csv (the sensors' passwords, for pnpm sim --credentials). Ctrl-C stops it all.`;

const { values } = parseArgs({
  options: { dir: { type: 'string', default: '.cluster' }, registry: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const registryFile = values.registry ?? new URL('../../registry/demo-magdeburg.json', import.meta.url).pathname;
const parsed = parseRegistry(JSON.parse(readFileSync(registryFile, 'utf8')));
if (!parsed.ok) {
  console.error(`${registryFile}: not a valid registry:\n${parsed.issues.map((i) => `  ${i}`).join('\n')}`);
  process.exit(1);
}
const dir = resolve(values.dir);
mkdirSync(dir, { recursive: true, mode: 0o755 });
console.error(`cluster: starting under ${dir} …`);
const cluster = await startLocalCluster({ dir, registry: parsed.registry }).catch((err: unknown) => {
  console.error(`cluster: ${(err as Error).message}`);
  process.exit(1);
});
console.log(
  [
    `cluster: up. Logs in ${dir}/logs`,
    `  HTTPS (nginx)   ${cluster.proxyUrl}   (CA: ${cluster.caFile})`,
    ...cluster.apis.map((a) => `  ${a.name.padEnd(14)}  http://127.0.0.1:${a.port}`),
    ...cluster.workers.map((w) => `  ${w.name.padEnd(14)}  metrics http://127.0.0.1:${w.metricsPort}/metrics`),
    `  MQTT (TLS)      ${cluster.mqttUrl}`,
    `  PostgreSQL      ${cluster.databaseUrl}`,
    `  sensors:        pnpm sim --url ${cluster.mqttUrl} --ca ${cluster.caFile} --credentials ${dir}/issued.csv`,
    'Ctrl-C stops everything.',
  ].join('\n'),
);
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) process.exit(130);
  stopping = true;
  console.error(`cluster: ${signal}, stopping …`);
  await cluster.stop();
  console.error('cluster: stopped');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
for (const c of [...cluster.workers, ...cluster.apis, cluster.broker, cluster.nginx]) {
  c.process.once('exit', (code, signal) => {
    if (!stopping) console.error(`cluster: ${c.name} exited (${signal ?? code}); last output:\n${c.tail()}`);
  });
}
