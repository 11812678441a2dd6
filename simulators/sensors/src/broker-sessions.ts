import type { Logger } from '@freiplatz/config';
import type { IClientOptions, MqttClient } from 'mqtt';
import { connectClient } from './connect-client.js';
import type { PublishTarget } from './windowed-publisher.js';

export interface BrokerSessions extends PublishTarget {
  /** MQTT version in use: with 3.1.1 the broker cannot refuse a publish, so refusals are invisible. */
  protocolVersion: 4 | 5;
  end(force: boolean): Promise<void>;
}

const NATIVE_TOPIC = /^parking\/v1\/(?:bays|counters)\/([^/]+)$/;
const CONNECTS_AT_ONCE = 32;

/**
 * The simulator's broker connections. Without `credentials`: one connection (the options' account).
 * With them (sensor id -> password, from `pnpm broker:provision`'s issued CSV): one connection per
 * sensor as that sensor's own account — the production broker's ACL lets a sensor publish its own
 * topics only — and each native message goes out on its sensor's connection. A message of a sensor
 * without credentials fails (counted), as it would fail at the broker. Other formats (LoRaWAN
 * uplinks) go out on the one connection of the options' account (the network server's).
 */
export async function connectBrokerSessions(
  url: string,
  options: IClientOptions & { protocolVersion: 4 | 5 },
  credentials: ReadonlyMap<string, string> | undefined,
  sensorIds: readonly string[],
  log: Logger,
): Promise<BrokerSessions> {
  const bySensor = new Map<string, MqttClient>();
  const all: MqttClient[] = [];
  const end = async (force: boolean) => {
    await Promise.all(all.map((c) => c.endAsync(force).catch((err: unknown) => log.warn({ err }, 'disconnect failed'))));
  };
  let fallback: MqttClient | null = null;
  try {
    if (credentials === undefined) {
      fallback = await connectClient(url, options, log);
      all.push(fallback);
    } else {
      const wanted = sensorIds.filter((id) => credentials.has(id));
      for (let i = 0; i < wanted.length; i += CONNECTS_AT_ONCE) {
        const clients = await Promise.all(
          wanted.slice(i, i + CONNECTS_AT_ONCE).map(async (id) => {
            const client = await connectClient(
              url,
              { ...options, clientId: id, username: id, password: credentials.get(id) ?? '', clean: true },
              log,
            );
            all.push(client);
            return [id, client] as const;
          }),
        );
        for (const [id, client] of clients) bySensor.set(id, client);
      }
      if (options.username !== undefined) {
        fallback = await connectClient(url, options, log);
        all.push(fallback);
      }
      const missing = sensorIds.length - wanted.length;
      if (missing > 0)
        log.warn(
          { missing, example: sensorIds.find((id) => !credentials.has(id)) },
          'sensors without credentials: their messages will fail',
        );
    }
  } catch (err) {
    await end(true);
    throw err;
  }
  for (const c of all) {
    c.on('error', (err) => log.warn({ err }, 'mqtt error'));
    c.on('offline', () => log.warn('broker offline, reconnecting'));
  }
  return {
    protocolVersion: options.protocolVersion,
    end,
    publish(topic, payload, opts, cb) {
      const sensorId = NATIVE_TOPIC.exec(topic)?.[1];
      const client = (sensorId !== undefined ? bySensor.get(sensorId) : undefined) ?? fallback;
      if (!client) {
        cb(new Error(`no credentials for sensor ${sensorId ?? topic}`));
        return;
      }
      client.publish(topic, payload, opts, (err) => cb(err ?? undefined));
    },
  };
}
