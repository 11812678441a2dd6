import {
  builtinSensorModels,
  CHIRPSTACK_EVENT_TOPIC,
  createSensorDirectory,
  type DecodeResult,
  decodeChirpstackEvent,
  decodeMessage,
  decodeNativeMessage,
  decodeTtsUplink,
  EMPTY_DIRECTORY,
  INGEST_TOPICS,
  type SensorDirectory,
  type SensorModel,
  TTS_UPLINK_TOPIC,
} from '@freiplatz/domain';
import fc from 'fast-check';
import { topicFromFilter, topicLevelArb } from './payloads.js';

/** The registered sensors a message is decoded against, given its topic. */
type DirectoryOf = (topic: string) => SensorDirectory;

export interface FuzzDecoder {
  name: string;
  /** Topic filters whose topics this decoder handles (plus a share of random topics). */
  topics: readonly string[];
  decode(topic: string, payload: Uint8Array, receivedAt: Date, directory: SensorDirectory): DecodeResult;
}

/** Every decoder of packages/domain; a new decoder is one more line here. */
export const fuzzDecoders: readonly FuzzDecoder[] = [
  { name: 'decodeNativeMessage', topics: ['parking/v1/bays/+', 'parking/v1/counters/+'], decode: decodeNativeMessage },
  { name: 'decodeTtsUplink', topics: ['v3/+/devices/+/up'], decode: decodeTtsUplink },
  {
    name: 'decodeChirpstackEvent',
    topics: ['application/+/device/+/event/up', 'application/+/device/+/event/status'],
    decode: decodeChirpstackEvent,
  },
  { name: 'decodeMessage', topics: INGEST_TOPICS, decode: decodeMessage },
];

/** Topics for a decoder: mostly its own, some of any shape. */
export function topicArb(decoder: FuzzDecoder): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...decoder.topics).chain(topicFromFilter) },
    { weight: 1, arbitrary: fc.array(topicLevelArb, { minLength: 1, maxLength: 6 }).map((levels) => levels.join('/')) },
    { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
  );
}

/**
 * A directory with the topic's device registered with one of the built-in models and bound to
 * the topic's network and application (so that uplinks get as far as their model), or with nothing
 * registered (LoRaWAN uplinks then are UNKNOWN_DEVICE).
 */
export const directoryOfArb: fc.Arbitrary<DirectoryOf> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(() => EMPTY_DIRECTORY) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(...builtinSensorModels.values()).map((model) => (topic: string) => boundDirectory(topic, model)),
  },
);

function boundDirectory(topic: string, model: SensorModel): SensorDirectory {
  const tts = TTS_UPLINK_TOPIC.exec(topic);
  const cs = CHIRPSTACK_EVENT_TOPIC.exec(topic);
  if (tts?.[1] !== undefined && tts[3] !== undefined) {
    const lorawan = { network: 'tts' as const, application: tts[1], ...(tts[2] !== undefined ? { tenant: tts[2] } : {}) };
    return createSensorDirectory([{ id: tts[3], kind: 'bay', model, lorawan }]);
  }
  if (cs?.[1] !== undefined && cs[2] !== undefined) {
    const devEui = cs[2].toLowerCase();
    return createSensorDirectory([{ id: devEui, kind: 'bay', model, lorawan: { network: 'chirpstack', application: cs[1] } }]);
  }
  return EMPTY_DIRECTORY;
}
