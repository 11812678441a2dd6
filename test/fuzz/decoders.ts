import {
  builtinSensorModels,
  type DecodeResult,
  decodeChirpstackEvent,
  decodeMessage,
  decodeNativeMessage,
  decodeTtsUplink,
  INGEST_TOPICS,
  type SensorModel,
} from '@freiplatz/domain';
import fc from 'fast-check';
import { topicFromFilter, topicLevelArb } from './payloads.js';

type ModelOf = (sensorId: string) => SensorModel;

export interface FuzzDecoder {
  name: string;
  /** Topic filters whose topics this decoder handles (plus a share of random topics). */
  topics: readonly string[];
  decode(topic: string, payload: Uint8Array, receivedAt: Date, modelOf: ModelOf): DecodeResult;
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

/** A model lookup answering with one of the built-in models (or throwing nothing else). */
export const modelOfArb: fc.Arbitrary<ModelOf> = fc.constantFrom(...builtinSensorModels.values()).map((model) => () => model);
