import { readFileSync } from 'node:fs';
import { ConfigError } from '@freiplatz/config';
import type { IClientOptions } from 'mqtt';

export interface MqttTlsFiles {
  caFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  rejectUnauthorized: boolean;
}

/** Reads the CA and optional client certificate for an mqtts:// connection into mqtt.js options. */
export function readMqttTlsOptions(files: MqttTlsFiles): Partial<IClientOptions> {
  if ((files.certFile === undefined) !== (files.keyFile === undefined)) {
    throw new ConfigError('MQTT_CERT_FILE and MQTT_KEY_FILE must be set together');
  }
  const read = (name: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(`${name}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    rejectUnauthorized: files.rejectUnauthorized,
    ...(files.caFile !== undefined ? { ca: read('MQTT_CA_FILE', files.caFile) } : {}),
    ...(files.certFile !== undefined ? { cert: read('MQTT_CERT_FILE', files.certFile) } : {}),
    ...(files.keyFile !== undefined ? { key: read('MQTT_KEY_FILE', files.keyFile) } : {}),
  };
}
