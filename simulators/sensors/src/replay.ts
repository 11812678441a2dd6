import { readFile } from 'node:fs/promises';
import { createSilentLogger } from '@freiplatz/config';
import type { IClientOptions } from 'mqtt';
import { connectClient } from './connect-client.js';

/** A recorded message: its topic and JSON payload (the format of test/fixtures/lorawan/). */
export interface ReplaySample {
  topic: string;
  payload: unknown;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Reads a sample file; every problem comes back as an Error with a message for people. */
export async function readReplaySample(path: string): Promise<ReplaySample> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  const sample = json as Partial<ReplaySample> | null;
  if (typeof sample?.topic !== 'string' || sample.payload === undefined) {
    throw new Error(`${path}: expected {"topic": "…", "payload": {…}} (as in test/fixtures/lorawan/)`);
  }
  return { topic: sample.topic, payload: sample.payload };
}

function collectInstants(value: unknown, found: number[]): void {
  if (typeof value === 'string' && ISO_INSTANT.test(value)) found.push(Date.parse(value));
  else if (Array.isArray(value)) for (const v of value) collectInstants(v, found);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectInstants(v, found);
}

function shift(value: unknown, byMs: number): unknown {
  if (typeof value === 'string' && ISO_INSTANT.test(value)) return new Date(Date.parse(value) + byMs).toISOString();
  if (Array.isArray(value)) return value.map((v) => shift(v, byMs));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shift(v, byMs)]));
  return value;
}

/**
 * Moves every ISO-8601 instant in a payload (`received_at`, `time`, gateway times, …) by the same
 * amount, so that the newest becomes `nowMs` and the others keep their distance to it: the sample
 * is then what a device says now, and its reading is newer than anything stored before.
 */
export function replayAsOf(payload: unknown, nowMs: number): { payload: unknown; shiftedByMs: number } {
  const instants: number[] = [];
  collectInstants(payload, instants);
  if (instants.length === 0) return { payload, shiftedByMs: 0 };
  const shiftedByMs = nowMs - Math.max(...instants);
  return { payload: shift(payload, shiftedByMs), shiftedByMs };
}

/** Publishes a sample at QoS 1 with its times moved to now; resolves once the broker has it. */
export async function replaySample(url: string, sample: ReplaySample, mqttOptions: IClientOptions = {}, nowMs = Date.now()) {
  const replayed = replayAsOf(sample.payload, nowMs);
  const client = await connectClient(url, { protocolVersion: 4, reconnectPeriod: 0, ...mqttOptions }, createSilentLogger());
  try {
    await client.publishAsync(sample.topic, JSON.stringify(replayed.payload), { qos: 1 });
  } finally {
    await client.endAsync();
  }
  return replayed;
}
