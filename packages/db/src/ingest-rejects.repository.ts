import { createHash } from 'node:crypto';
import type { RejectCode } from '@freiplatz/domain';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { toText } from './pg-encoding.js';

/** Bytes of a rejected payload kept in its dead letter (with its full size and SHA-256). */
export const REJECT_PAYLOAD_EXCERPT_BYTES = 1024;

/** A dead letter: a message that did not become an event, with why. */
export interface Reject {
  topic: string;
  /** At most the first `REJECT_PAYLOAD_EXCERPT_BYTES` bytes of the payload. */
  payload: Uint8Array;
  /** The whole payload's size in bytes. */
  payloadSize: number;
  /** SHA-256 of the whole payload. */
  payloadSha256: Uint8Array;
  code: RejectCode;
  reason: string;
  receivedAt: Date;
}

/**
 * Builds a dead letter from a whole payload: its first 1 KiB copied (a view would keep the whole
 * message alive as long as the dead letter), its size and its hash. The topic is cut at 1 KiB too.
 */
export function toReject(input: { topic: string; payload: Uint8Array; code: RejectCode; reason: string; receivedAt: Date }): Reject {
  const { payload } = input;
  return {
    topic: input.topic.length > REJECT_PAYLOAD_EXCERPT_BYTES ? input.topic.slice(0, REJECT_PAYLOAD_EXCERPT_BYTES) : input.topic,
    payload: Uint8Array.prototype.slice.call(payload, 0, REJECT_PAYLOAD_EXCERPT_BYTES),
    payloadSize: payload.byteLength,
    payloadSha256: createHash('sha256').update(payload).digest(),
    code: input.code,
    reason: input.reason,
    receivedAt: input.receivedAt,
  };
}

const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, REJECT_PAYLOAD_EXCERPT_BYTES));

/** Stores dead letters (part of a batch's transaction). */
export async function insertRejects(db: Kysely<Database>, rejects: readonly Reject[]): Promise<void> {
  if (rejects.length === 0) return;
  const r = rejects;
  await sql`
    INSERT INTO ingest_rejects (topic, payload, payload_size, payload_sha256, code, reason, received_at)
    SELECT * FROM unnest(${r.map((x) => toText(x.topic))}::text[], ${r.map((x) => asBuffer(x.payload))}::bytea[],
      ${r.map((x) => x.payloadSize)}::int[], ${r.map((x) => asBuffer(x.payloadSha256))}::bytea[],
      ${r.map((x) => x.code)}::text[], ${r.map((x) => toText(x.reason))}::text[], ${r.map((x) => x.receivedAt)}::timestamptz[])`.execute(
    db,
  );
}
