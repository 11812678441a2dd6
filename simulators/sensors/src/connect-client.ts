import type { Logger } from '@freiplatz/config';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';

/** The broker could not be reached or refused the connection. */
export class BrokerConnectError extends Error {
  override name = 'BrokerConnectError';
}

/** Connects to the broker and resolves on CONNACK; rejects on the first failure instead of retrying forever. */
export function connectClient(url: string, options: IClientOptions, log: Logger): Promise<MqttClient> {
  const where = redactUrl(url);
  const client = connect(url, {
    clientId: `freiplatz-sim-${Math.random().toString(16).slice(2, 10)}`,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...options,
  });
  return new Promise((resolve, reject) => {
    const fail = (cause: unknown): void => {
      cleanup();
      client.end(true);
      const reason = cause instanceof Error ? cause.message : 'connection closed';
      reject(new BrokerConnectError(`cannot connect to MQTT broker ${where}: ${reason}`, { cause }));
    };
    const onConnect = (): void => {
      cleanup();
      log.info({ url: where }, 'connected to broker');
      resolve(client);
    };
    const onClose = (): void => fail(undefined);
    const cleanup = (): void => {
      client.off('connect', onConnect);
      client.off('error', fail);
      client.off('close', onClose);
    };
    client.on('connect', onConnect);
    client.on('error', fail);
    client.on('close', onClose);
  });
}

/** Drops any password from a broker URL so it can be logged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'redacted';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}
