import { startEmbeddedBroker } from '../../services/launcher/src/embedded-broker.js';
import { findMosquitto, startMosquitto } from './mosquitto.js';

export interface BrokerBackend {
  kind: 'MQTT_URL' | 'mosquitto' | 'aedes';
  url: string;
  /** Highest MQTT protocol version the broker speaks. */
  protocolVersion: 4 | 5;
  stop(): Promise<void>;
}

/** Picks the test broker: MQTT_URL, else Mosquitto when installed, else embedded Aedes. Under CI it must be Mosquitto. */
export async function startBrokerBackend(options: { quiet?: boolean; ownBroker?: boolean } = {}): Promise<BrokerBackend> {
  if (process.env.MQTT_URL && !options.ownBroker) {
    return {
      kind: 'MQTT_URL',
      url: process.env.MQTT_URL,
      protocolVersion: process.env.MQTT_PROTOCOL_VERSION === '4' ? 4 : 5,
      stop: async () => {},
    };
  }
  if (process.env.TEST_BROKER !== 'aedes' && findMosquitto()) {
    const m = await startMosquitto();
    return { kind: 'mosquitto', url: m.url, protocolVersion: 5, stop: m.dispose };
  }
  if (process.env.CI === 'true') {
    throw new Error('CI=true but mosquitto is not installed: .ci/run must install it (apt-get install mosquitto)');
  }
  if (process.env.TEST_BROKER !== 'aedes' && !options.quiet)
    console.warn('[test] mosquitto not found: falling back to the embedded Aedes broker (install mosquitto to test against it)');
  const b = await startEmbeddedBroker({ port: 0 });
  return { kind: 'aedes', url: b.url, protocolVersion: 4, stop: b.stop };
}
