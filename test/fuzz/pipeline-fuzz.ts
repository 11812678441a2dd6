import { toReject } from '@freiplatz/db';
import { decodeMessage, INGEST_TOPICS, type RejectCode } from '@freiplatz/domain';
import type { IngestWorker } from '@freiplatz/ingest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Harness } from '../harness.js';
import { topicArb } from './decoders.js';
import { payloadArb } from './payloads.js';

export interface PipelineFuzzResult {
  published: number;
  expectedRejects: number;
  storedRejects: number;
}

/** A dead letter as stored: code, topic, the payload's first 1 KiB, its size and SHA-256. */
const key = (topic: string, excerpt: Uint8Array, size: number, sha256: Uint8Array, code: string) =>
  `${code} ${topic} ${Buffer.from(excerpt).toString('hex')} ${size} ${Buffer.from(sha256).toString('hex')}`;
const expectedKey = (topic: string, payload: Uint8Array, code: string) => {
  const r = toReject({ topic, payload, code: code as RejectCode, reason: '', receivedAt: new Date() });
  return key(r.topic, r.payload, r.payloadSize, r.payloadSha256, code);
};

async function counterValue(worker: IngestWorker, name: 'received' | 'commitFailures'): Promise<number> {
  const metric = await worker.metrics[name].get();
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}

/**
 * Publishes `count` generated messages on the topics the worker subscribes to, through the real
 * broker, and checks that every one was received and that exactly the ones the decoders reject
 * are in ingest_rejects with the same code, their first 1 KiB byte for byte, with their size and hash.
 */
export async function fuzzPipeline(
  harness: Harness,
  worker: IngestWorker,
  count: number,
  seed?: number,
  workerErrors: () => string = () => '',
): Promise<PipelineFuzzResult> {
  const own = topicArb({ name: 'ingest', topics: INGEST_TOPICS, decode: decodeMessage });
  // Only topics the worker subscribed to reach it: keep the generated ones that match a filter, and
  // that a client may publish at all (MQTT forbids wildcards and NUL in a PUBLISH topic; a broker
  // disconnects a client that tries, and mqtt.js would resend it forever).
  const subscribed = fc.constantFrom(...INGEST_TOPICS).chain((filter) => own.filter((t) => matchesFilter(filter, t) && isPublishable(t)));
  const messages = fc.sample(fc.tuple(subscribed, payloadArb), { numRuns: count, ...(seed !== undefined ? { seed } : {}) });
  const expected = new Map<string, number>();
  for (const [topic, payload] of messages) {
    const result = decodeMessage(topic, payload, new Date());
    if (!result.ok) {
      const k = expectedKey(topic, payload, result.code);
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
  }
  const expectedRejects = [...expected.values()].reduce((a, b) => a + b, 0);
  for (let i = 0; i < messages.length; i += 200) {
    await Promise.all(messages.slice(i, i + 200).map(([topic, payload]) => harness.publish(topic, payload)));
  }
  await expect.poll(() => counterValue(worker, 'received'), { timeout: 60_000, interval: 200 }).toBe(messages.length);
  const storedCount = async () => {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ingest_rejects`.execute(harness.db);
    return rows[0]?.n ?? 0;
  };
  try {
    await expect.poll(storedCount, { timeout: 60_000, interval: 200 }).toBe(expectedRejects);
  } catch (err) {
    // A batch whose commit keeps failing is never acknowledged and holds everything behind it.
    const failures = await counterValue(worker, 'commitFailures');
    throw new Error(`dead letters incomplete; ${failures} failed commits; worker errors:\n${workerErrors()}`, { cause: err });
  }
  const { rows } = await sql<{ topic: string; payload: Buffer; payload_size: number; payload_sha256: Buffer; code: string }>`
    SELECT topic, payload, payload_size, payload_sha256, code FROM ingest_rejects`.execute(harness.db);
  const stored = new Map<string, number>();
  for (const r of rows) {
    const k = key(r.topic, r.payload, r.payload_size, r.payload_sha256, r.code);
    stored.set(k, (stored.get(k) ?? 0) + 1);
  }
  expect(stored).toEqual(expected);
  expect(await counterValue(worker, 'commitFailures')).toBe(0);
  return { published: messages.length, expectedRejects, storedRejects: rows.length };
}

/** A topic name a client may publish to (MQTT 3.1.1 §4.7, MQTT 5 §4.7). */
function isPublishable(topic: string): boolean {
  return (
    topic.length > 0 && !topic.includes('+') && !topic.includes('#') && !topic.includes('\u0000') && Buffer.byteLength(topic) <= 65_535
  );
}

/** MQTT topic filter matching (`+` one level, `#` the rest). */
function matchesFilter(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length && !topic.startsWith('$');
}
