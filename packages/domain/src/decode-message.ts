import { type DecodeResult, decodeNativeMessage } from './decode.js';
import { decodeChirpstackEvent } from './lorawan-chirpstack.js';
import { decodeTtsUplink } from './lorawan-tts.js';
import { resolveSensorModel, type SensorModel } from './sensor-model.js';

/** Every topic filter the ingest worker subscribes to: native bays and counters, TTS v3 and ChirpStack v4. */
export const INGEST_TOPICS = [
  'parking/v1/bays/+',
  'parking/v1/counters/+',
  'v3/+/devices/+/up',
  'application/+/device/+/event/up',
  'application/+/device/+/event/status',
] as const;

const genericModel = (): SensorModel => resolveSensorModel(null);

/**
 * Decodes one MQTT message from any supported source into an event, or says exactly why not.
 * `modelOf` names the sensor model of a device (LoRaWAN decoded fields differ per model).
 */
export function decodeMessage(
  topic: string,
  payload: Uint8Array,
  receivedAt: Date,
  modelOf: (sensorId: string) => SensorModel = genericModel,
): DecodeResult {
  if (topic.startsWith('parking/')) return decodeNativeMessage(topic, payload, receivedAt);
  if (topic.startsWith('v3/')) return decodeTtsUplink(topic, payload, receivedAt, modelOf);
  if (topic.startsWith('application/')) return decodeChirpstackEvent(topic, payload, receivedAt, modelOf);
  return { ok: false, code: 'UNKNOWN_TOPIC', reason: `no decoder for topic "${topic.slice(0, 200)}"` };
}
