import { parseArgs } from 'node:util';
import { type FaultRates, parseFaultRates } from './faults.js';
import { type MessageFormat, messageFormats } from './message-format.js';

/** What the command line asks for. */
export interface CliOptions {
  url: string;
  registryPath: string;
  speed: number;
  qos: 0 | 1;
  durationSeconds?: number;
  maxEvents?: number;
  seed: number;
  format: MessageFormat;
  faults: FaultRates;
  /** MQTT version; unset: 5, falling back to 3.1.1 for a broker that only speaks that (the embedded Aedes). */
  mqttVersion?: 4 | 5;
  /** PEM file of the CA that signed the broker's certificate (mqtts://). */
  caFile?: string;
  /** `pnpm broker:provision`'s issued CSV (username,password,kind): each sensor connects as itself. */
  credentialsFile?: string;
}

export type CliArgsResult = { ok: true; help: false; options: CliOptions } | { ok: true; help: true } | { ok: false; message: string };

export const usage = `Usage: pnpm sim [options]
       pnpm sim replay FILE [--url URL]   publishes a recorded message as of now (replay --help)

Plays a registry's bay sensors over MQTT (topic parking/v1/bays/{sensorId}).

Options:
  --url <url>          broker URL (default: $MQTT_URL or mqtt://127.0.0.1:1883)
  --registry <path>    registry JSON (default: registry/demo-magdeburg.json)
  --speed <factor>     simulated seconds per real second for the day's curve (default 1); heartbeats, ts and
                       how long a vehicle stays are real-time, so no bay changes faster than a real one
  --qos <0|1>          publish QoS (default 1)
  --duration <secs>    stop after this many real seconds
  --events <n>         stop after this many messages
  --seed <int>         random seed (default 1)
  --format <f>         native (default), tts (The Things Stack v3 uplinks) or chirpstack (ChirpStack v4 uplinks)
  --faults <rates>     inject faults, e.g. die=0.02,stick=0.01,flap=0.01,skew=0.01,drain=0.02,stray=0.01,garbage=0.005
                       (share of devices that are dead, stuck (for days), flap, run a clock 10–60 min ahead or
                       drain fast; extra devices the registry does not know; share of messages replaced by
                       garbage). On a fresh database each health rule shows within minutes.
  --mqtt-version <4|5> MQTT version (default 5, or 3.1.1 where the broker speaks only that). With 5
                       only messages the broker accepted (PUBACK reason < 0x80) count as acknowledged;
                       with 3.1.1 a broker that refuses a message (ACL) still acknowledges it
  --ca <file>          CA certificate (PEM) of an mqtts:// broker (default: $MQTT_CA_FILE)
  --credentials <csv>  per-sensor accounts, the issued-*.csv of pnpm broker:provision; each sensor
                       connects as itself (the production broker lets it publish only its own topics).
                       Without it one account is used: $MQTT_USERNAME / $MQTT_PASSWORD
  -h, --help           show this help

Without --duration or --events it runs until Ctrl-C.`;

const BROKER_PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:']);

/** Parses and checks the simulator's flags; every mistake comes back as a message, never a throw. */
export function parseCliArgs(argv: string[], defaults: { url: string; registryPath: string }): CliArgsResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        registry: { type: 'string' },
        speed: { type: 'string' },
        qos: { type: 'string' },
        duration: { type: 'string' },
        events: { type: 'string' },
        seed: { type: 'string' },
        format: { type: 'string' },
        faults: { type: 'string' },
        'mqtt-version': { type: 'string' },
        ca: { type: 'string' },
        credentials: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  if (values.help) return { ok: true, help: true };
  const problems: string[] = [];
  const url = String(values.url ?? defaults.url);
  if (!isBrokerUrl(url)) problems.push(`--url must be a broker URL like mqtt://host:1883, got "${url}"`);
  const speed = readNumber(values.speed, '--speed', 1, problems, (n) => n > 0 && n <= 1_000_000, 'a number > 0');
  const qos = readNumber(values.qos, '--qos', 1, problems, (n) => n === 0 || n === 1, '0 or 1');
  const seed = readNumber(values.seed, '--seed', 1, problems, Number.isSafeInteger, 'an integer');
  const duration = readNumber(values.duration, '--duration', undefined, problems, (n) => n > 0, 'a number of seconds > 0');
  const events = readNumber(values.events, '--events', undefined, problems, (n) => Number.isSafeInteger(n) && n > 0, 'an integer > 0');
  const format = String(values.format ?? 'native');
  if (!(messageFormats as readonly string[]).includes(format))
    problems.push(`--format must be one of ${messageFormats.join(', ')}, got "${format}"`);
  const mqttVersion = readNumber(values['mqtt-version'], '--mqtt-version', undefined, problems, (n) => n === 4 || n === 5, '4 or 5');
  const faults = parseFaultRates(String(values.faults ?? ''));
  if (!faults.ok) problems.push(faults.message);
  if (problems.length > 0 || !faults.ok) return { ok: false, message: problems.join('\n') };
  return {
    ok: true,
    help: false,
    options: {
      url,
      registryPath: String(values.registry ?? defaults.registryPath),
      speed: speed ?? 1,
      qos: qos === 0 ? 0 : 1,
      seed: seed ?? 1,
      format: format as MessageFormat,
      faults: faults.rates,
      ...(duration === undefined ? {} : { durationSeconds: duration }),
      ...(events === undefined ? {} : { maxEvents: events }),
      ...(mqttVersion === undefined ? {} : { mqttVersion: mqttVersion === 5 ? 5 : 4 }),
      ...(typeof values.ca === 'string' ? { caFile: values.ca } : {}),
      ...(typeof values.credentials === 'string' ? { credentialsFile: values.credentials } : {}),
    },
  };
}

function readNumber<D extends number | undefined>(
  raw: string | boolean | undefined,
  flag: string,
  fallback: D,
  problems: string[],
  valid: (n: number) => boolean,
  expected: string,
): number | D {
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n) || !valid(n)) {
    problems.push(`${flag} must be ${expected}, got "${String(raw)}"`);
    return fallback;
  }
  return n;
}

function isBrokerUrl(url: string): boolean {
  try {
    return BROKER_PROTOCOLS.has(new URL(url).protocol);
  } catch {
    return false;
  }
}
