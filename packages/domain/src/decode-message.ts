import { type DecodeResult, decodeNativeMessage } from './decode.js';
import { admitNativeEvent, EMPTY_DIRECTORY, type SensorDirectory } from './decode-directory.js';
import { decodeChirpstackEvent } from './lorawan-chirpstack.js';
import { decodeTtsUplink } from './lorawan-tts.js';

/** Every topic filter the ingest worker subscribes to: native bays and counters, TTS v3 and ChirpStack v4. */
export const INGEST_TOPICS = [
  'parking/v1/bays/+',
  'parking/v1/counters/+',
  'v3/+/devices/+/up',
  'application/+/device/+/event/up',
  'application/+/device/+/event/status',
] as const;

/**
 * Decodes one MQTT message from any supported source into an event, or says exactly why not.
 * `directory` holds the registered sensors: their kind, their model (LoRaWAN decoded fields differ
 * per model) and their LoRaWAN binding. A native sensor unknown to it is taken (unassigned, for
 * operators to map); a LoRaWAN device must be registered with its binding.
 */
export function decodeMessage(
  topic: string,
  payload: Uint8Array,
  receivedAt: Date,
  directory: SensorDirectory = EMPTY_DIRECTORY,
): DecodeResult {
  if (topic.startsWith('parking/')) {
    const decoded = decodeNativeMessage(topic, payload, receivedAt);
    return decoded.ok ? admitNativeEvent(directory, decoded.event) : decoded;
  }
  if (topic.startsWith('v3/')) return decodeTtsUplink(topic, payload, receivedAt, directory);
  if (topic.startsWith('application/')) return decodeChirpstackEvent(topic, payload, receivedAt, directory);
  return { ok: false, code: 'UNKNOWN_TOPIC', reason: `no decoder for topic "${topic.slice(0, 200)}"` };
}
