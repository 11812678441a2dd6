import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, importRegistry, migrate, startEmbeddedPostgres } from '@freiplatz/db';
import type { Registry } from '@freiplatz/domain';
import { resolveBrokerOwner, writeBrokerFiles } from '../broker-files.js';
import { formatIssuedCsv, ingestAccount, provisionBrokerCredentials } from '../provision.js';
import { type Child, freePort, requireCommand, startChild } from './child.js';
import { renderMosquittoConfig, renderNginxConfig } from './render-config.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const WORKERS = 2;
const APIS = 2;

export interface LocalClusterOptions {
  /** Everything the cluster writes: certificates, broker files, logs, the database unless given. */
  dir: string;
  registry: Registry;
  /** An existing database (a test's); unset: an embedded PostgreSQL under `dir/pg`. */
  databaseUrl?: string;
  /** Exact substitutions in infra/mosquitto/mosquitto.conf (e.g. a lower queue limit). */
  brokerOverrides?: Record<string, string>;
}

export interface LocalCluster {
  dir: string;
  databaseUrl: string;
  mqttUrl: string;
  caFile: string;
  /** nginx in front of the API replicas. */
  proxyUrl: string;
  /** Clear-text passwords of every account (sensors and slots), also in `dir/issued.csv`. */
  passwords: Map<string, string>;
  workers: Array<Child & { metricsPort: number }>;
  apis: Array<Child & { port: number }>;
  broker: Child;
  nginx: Child;
  /** Starts worker `i` (0-based) again, e.g. after a test killed it. */
  restartWorker(i: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The production topology on 127.0.0.1 without Docker (infra/README.md): PostgreSQL, Mosquitto with
 * infra/mosquitto/mosquitto.conf, TLS and provisioned accounts, two ingest workers on two slots,
 * two API replicas and Debian's nginx with infra/nginx/nginx.conf — the repository's own files,
 * written by its own scripts, nothing adjusted by hand.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const dir = options.dir;
  for (const command of ['mosquitto', 'nginx']) requireCommand(command, 'Debian: apt-get install mosquitto nginx');
  mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o755 });
  const children: Child[] = [];
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
  };
  const child = (name: string, command: string, args: string[], env: Record<string, string> = {}) => {
    const c = startChild(name, command, args, {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_FORMAT: 'json', ...env },
      logFile: join(dir, 'logs', `${name}.log`),
    });
    children.push(c);
    return c;
  };
  try {
    let databaseUrl = options.databaseUrl;
    if (databaseUrl === undefined) {
      const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort() });
      stops.push(() => pg.stop());
      databaseUrl = pg.connectionString;
    }
    await migrate(databaseUrl);
    const db = createDb({ connectionString: databaseUrl, max: 1 });
    await importRegistry(db, options.registry);
    await db.destroy();

    const certDir = join(dir, 'tls');
    execFileSync('bash', [join(REPO, 'infra/tls/make-certs.sh'), certDir], { stdio: 'ignore' });
    const provisioned = provisionBrokerCredentials({
      registry: options.registry,
      staticAcl: readFileSync(join(REPO, 'infra/mosquitto/acl'), 'utf8'),
      ingestWorkers: WORKERS,
    });
    writeFileSync(join(dir, 'issued.csv'), formatIssuedCsv(provisioned.issued), { mode: 0o600 });
    const brokerDir = join(dir, 'broker');
    const owner = resolveBrokerOwner(undefined);
    await writeBrokerFiles(brokerDir, provisioned, owner);
    mkdirSync(join(brokerDir, 'data'), { recursive: true });
    if (owner) chownSync(join(brokerDir, 'data'), owner.uid, owner.gid);
    const mqttPort = await freePort();
    const brokerConf = join(brokerDir, 'mosquitto.conf');
    writeFileSync(
      brokerConf,
      renderMosquittoConfig({
        dir: brokerDir,
        certDir,
        port: mqttPort,
        ...(options.brokerOverrides ? { overrides: options.brokerOverrides } : {}),
      }),
    );
    const broker = child('mosquitto', 'mosquitto', ['-c', brokerConf]);
    stops.push(() => broker.stop());
    await broker.waitForPort(mqttPort);

    const passwords = new Map(provisioned.issued.map((c) => [c.username, c.password]));
    const slots = Array.from({ length: WORKERS }, (_, i) => ingestAccount(i + 1));
    const mqttUrl = `mqtts://127.0.0.1:${mqttPort}`;
    const caFile = join(certDir, 'ca.crt');
    const workers: LocalCluster['workers'] = [];
    const startWorker = async (i: number) => {
      const slot = slots[i] as string;
      const metricsPort = await freePort();
      const w = child(`ingest-${i + 1}`, process.execPath, ['--import', 'tsx', 'services/ingest/src/main.ts'], {
        DATABASE_URL: databaseUrl,
        MQTT_URL: mqttUrl,
        MQTT_CA_FILE: caFile,
        MQTT_CLIENT_ID: slot,
        MQTT_PASSWORD: passwords.get(slot) ?? '',
        MQTT_SHARE_GROUP: 'ingest',
        INGEST_SLOTS: slots.join(','),
        INGEST_METRICS_PORT: String(metricsPort),
      });
      workers[i] = Object.assign(w, { metricsPort });
      await w.waitForPort(metricsPort);
    };
    for (let i = 0; i < WORKERS; i++) await startWorker(i);
    stops.push(() => Promise.all(workers.map((w) => w.stop())).then(() => {}));

    // One dashboard secret for both replicas, or a session made by one is refused by the other.
    const opsSecret = randomBytes(36).toString('base64url');
    const apis: LocalCluster['apis'] = [];
    for (let i = 0; i < APIS; i++) {
      const port = await freePort();
      const api = child(`api-${i + 1}`, process.execPath, ['--import', 'tsx', 'services/api/src/main.ts'], {
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        OPS_SESSION_SECRET: opsSecret,
        OPS_SECURE_COOKIES: 'true',
        API_TRUSTED_PROXIES: '127.0.0.1',
      });
      apis.push(Object.assign(api, { port }));
    }
    stops.push(() => Promise.all(apis.map((a) => a.stop())).then(() => {}));
    for (const api of apis) await api.waitForPort(api.port);

    const nginxDir = join(dir, 'nginx');
    mkdirSync(nginxDir, { recursive: true, mode: 0o755 });
    const proxyPort = await freePort();
    const nginxConf = join(nginxDir, 'nginx.conf');
    writeFileSync(nginxConf, renderNginxConfig({ dir: nginxDir, certDir, port: proxyPort, apiPorts: [apis[0]!.port, apis[1]!.port] }));
    const nginx = child('nginx', 'nginx', ['-p', nginxDir, '-e', 'stderr', '-c', nginxConf, '-g', 'daemon off;']);
    stops.push(() => nginx.stop('SIGQUIT'));
    await nginx.waitForPort(proxyPort);

    return {
      dir,
      databaseUrl,
      mqttUrl,
      caFile,
      proxyUrl: `https://127.0.0.1:${proxyPort}`,
      passwords,
      workers,
      apis,
      broker,
      nginx,
      restartWorker: startWorker,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
