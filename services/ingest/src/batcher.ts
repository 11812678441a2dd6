import type { Logger } from '@freiplatz/config';
import { type IngestBatch, type Reject, toIngestBatch, toReject } from '@freiplatz/db';
import type { OccupancyEvent } from '@freiplatz/domain';
import type { AckHandle } from './ack-queue.js';

/** Where an event came from, so that it can become a dead letter if the database refuses it. */
export interface EventSource {
  topic: string;
  payload: Uint8Array;
}

export type BatchItem = { event: OccupancyEvent; source?: EventSource; ack: AckHandle } | { reject: Reject; ack: AckHandle };

/**
 * Errors that retrying cannot cure: the data itself (SQLSTATE class 22 data exception, 23 integrity
 * constraint, 54 program limit). Connection loss, shutdown, deadlocks and the like are retried.
 */
export function isPermanentDbError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

/** Error code of a commit that was in flight when the commit thread died (commit-thread-client.ts). */
export const COMMIT_THREAD_DIED = 'ERR_COMMIT_THREAD_DIED';

const threadDied = (err: unknown) => (err as { code?: unknown } | null)?.code === COMMIT_THREAD_DIED;

/** Payload bytes an item holds: what the byte bounds count (one `length` per message). */
const bytesOf = (item: BatchItem) => ('event' in item ? (item.source?.payload.length ?? 0) : item.reject.payload.length);

function toDeadLetter(item: BatchItem, err: unknown): BatchItem {
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 300);
  if (!('event' in item)) {
    // A dead letter that itself cannot be stored (or killed the commit thread): keep its size and
    // hash, not its bytes.
    return {
      reject: { ...item.reject, payload: new Uint8Array(0), reason: `${item.reject.reason}; not stored whole: ${message}` },
      ack: item.ack,
    };
  }
  const reason = threadDied(err)
    ? `the commit thread died twice with this event in its batch: ${message}`
    : `the database refused the decoded event: ${message}`;
  const topic = item.source?.topic ?? `(sensor ${item.event.sensorId})`;
  const payload = item.source?.payload ?? Buffer.from(JSON.stringify(item.event));
  return { reject: toReject({ topic, payload, code: 'STORE_FAILED', reason, receivedAt: item.event.receivedAt }), ack: item.ack };
}

export interface BatcherOptions {
  batchSize: number;
  /** Payload bytes a batch holds at most (default: no byte bound); a batch has at least one item, however large. */
  batchMaxBytes?: number;
  flushMs: number;
  /**
   * Parts committed at once (default 1): a batch of at least `min(1,000, batchSize)` items is split by a hash of the
   * sensor id into this many parts, committed at the same time. The parts never share a sensor,
   * so they do not wait on each other's sensor state rows and overlap in everything but the short
   * facility update at their end.
   */
  concurrency?: number;
  /**
   * Least time from one commit's start to the next (default 0: back to back) unless
   * `minCommitItems` wait. At light load a commit's cost is in its statements more than in its
   * events: at a few thousand events a second back-to-back commits carry a few dozen events each,
   * and this lets them gather more.
   */
  minCommitIntervalMs?: number;
  /** Items that start the next commit before `minCommitIntervalMs` has passed (default: `batchSize`). */
  minCommitItems?: number;
  commit: (batch: IngestBatch) => Promise<void>;
  logger: Logger;
  onCommitError?: (err: unknown) => void;
  /** Backoff bounds for retrying a failed commit. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** FNV-1a of a string: spreads sensor ids over lanes, the same id always to the same lane. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Groups items into batches (size or time, whichever first) and commits one batch at a time, a
 * large one as parallel parts by sensor; every part is retried with backoff until it succeeds, and
 * the batch's acks are released once all its parts committed (the ack queue sends them in arrival
 * order). Parts of one batch start and end together: independent lanes drifted out of step, and
 * with PUBACKs in arrival order (an MQTT rule) each lane's acks then waited for the other's next
 * commit, which halved the unacknowledged window's worth.
 */
export class Batcher {
  private pending: BatchItem[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private deadline: number | undefined;
  private readonly lanes: number;
  private lastCommitStart = Number.NEGATIVE_INFINITY;
  /** Ends the wait between two commits early (enough items, a flush). */
  private wake: (() => void) | null = null;

  /** Items that end the wait between two commits. */
  private readonly enough: number;
  private readonly maxBytes: number;

  constructor(private readonly options: BatcherOptions) {
    this.lanes = Math.max(1, options.concurrency ?? 1);
    this.maxBytes = options.batchMaxBytes ?? Number.POSITIVE_INFINITY;
    this.enough = Math.min(options.minCommitItems ?? options.batchSize, options.batchSize);
  }

  get size(): number {
    return this.pending.length;
  }

  /** Payload bytes of the items waiting (see `bytesOf`). */
  get bytes(): number {
    return this.pendingBytes;
  }

  add(item: BatchItem): void {
    this.pending.push(item);
    this.pendingBytes += bytesOf(item);
    const full = this.pending.length >= this.options.batchSize || this.pendingBytes >= this.maxBytes;
    if (full || this.pending.length >= this.enough) this.wake?.();
    if (full) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.options.flushMs);
  }

  /** Commits everything in hand; with `deadline`, gives up retrying after it (items stay unacked). */
  async flush(deadline?: number): Promise<void> {
    this.stopping = deadline !== undefined;
    this.deadline = deadline;
    this.wake?.();
    this.kick();
    while (this.loop !== null) await this.loop;
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // A running loop takes whatever arrived during its commit when that commit ends.
    if (this.loop !== null || this.pending.length === 0) return;
    this.loop = this.drain().finally(() => {
      this.loop = null;
      if (this.pending.length > 0 && !this.stopping) this.timer ??= setTimeout(() => this.kick(), this.options.flushMs);
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      await this.spaceCommits();
      this.lastCommitStart = performance.now();
      // Take what is there (up to a batch): items that arrived during the last commit ride along.
      const items = this.take();
      const parts = this.split(items);
      const done = await Promise.all(parts.map((part) => this.commitWithRetry(part, true)));
      if (done.includes(false)) {
        // Given up at shutdown: what did not commit stays unacknowledged (the broker redelivers).
        const kept = parts.filter((_, i) => !done[i]).flat();
        for (const item of kept) this.pendingBytes += bytesOf(item);
        this.pending.unshift(...kept);
        for (const [i, part] of parts.entries()) if (done[i]) for (const item of part) item.ack.ack();
        return;
      }
      for (const item of items) item.ack.ack();
    }
  }

  /** The next batch: up to `batchSize` items and `batchMaxBytes` bytes (at least one item). */
  private take(): BatchItem[] {
    const limit = Math.min(this.pending.length, this.options.batchSize);
    let n = 0;
    let bytes = 0;
    while (n < limit) {
      const b = bytesOf(this.pending[n] as BatchItem);
      if (n > 0 && bytes + b > this.maxBytes) break;
      bytes += b;
      n += 1;
    }
    this.pendingBytes -= bytes;
    return this.pending.splice(0, n);
  }

  /** Waits until `minCommitIntervalMs` after the last commit's start, unless enough items wait or a flush began. */
  private async spaceCommits(): Promise<void> {
    const wait = this.lastCommitStart + (this.options.minCommitIntervalMs ?? 0) - performance.now();
    if (wait <= 0 || this.stopping || this.pending.length >= this.enough || this.pendingBytes >= this.maxBytes) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wake?.(), wait);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  /** One part per lane (by sensor), for a batch big enough to be worth it; otherwise the batch itself. */
  private split(items: BatchItem[]): BatchItem[][] {
    if (this.lanes === 1 || items.length < Math.min(1000, this.options.batchSize)) return [items];
    const parts: BatchItem[][] = Array.from({ length: this.lanes }, () => []);
    for (const item of items) {
      const key = 'event' in item ? item.event.sensorId : item.reject.topic;
      (parts[hashOf(key) % this.lanes] as BatchItem[]).push(item);
    }
    return parts.filter((part) => part.length > 0);
  }

  /**
   * Commits `items`, retrying transient failures; false when it gave up at shutdown (items stay
   * unacked). A commit thread that dies with these items in flight `deathsToIsolate` times is taken
   * as a permanent error: something in them kills it (e.g. runs it out of memory), and retrying
   * the same batch forever would stall all ingest.
   */
  private async commitWithRetry(items: BatchItem[], isolate: boolean, deathsToIsolate = 2): Promise<boolean> {
    let delay = this.options.retryMinMs ?? 100;
    let deaths = 0;
    for (;;) {
      try {
        await this.options.commit(toBatch(items));
        return true;
      } catch (err) {
        this.options.onCommitError?.(err);
        if (isolate && (isPermanentDbError(err) || (threadDied(err) && ++deaths >= deathsToIsolate))) {
          this.options.logger.warn({ err, items: items.length }, 'a batch cannot be committed: isolating the message');
          return this.isolate(items, err);
        }
        this.options.logger.warn({ err, items: items.length, retryInMs: delay }, 'batch commit failed: retrying');
        if (this.deadline !== undefined && Date.now() + delay > this.deadline) {
          this.options.logger.error({ items: items.length }, 'giving up at shutdown: the broker will redeliver these');
          return false;
        }
        await sleep(delay);
        delay = Math.min(delay * 2, this.options.retryMaxMs ?? 5000);
      }
    }
  }

  /** Halves a refused batch until the refused message is alone, then stores it as a dead letter instead. */
  private async isolate(items: BatchItem[], err: unknown): Promise<boolean> {
    const [only] = items;
    if (items.length === 1 && only) return this.commitWithRetry([toDeadLetter(only, err)], false);
    const mid = Math.ceil(items.length / 2);
    // A half that kills the thread once more is split again at once.
    const deaths = threadDied(err) ? 1 : 2;
    return (await this.commitWithRetry(items.slice(0, mid), true, deaths)) && (await this.commitWithRetry(items.slice(mid), true, deaths));
  }
}

/** The batch of one commit attempt (a commit thread takes its columns' buffers: built anew each time). */
function toBatch(items: readonly BatchItem[]): IngestBatch {
  const events: OccupancyEvent[] = [];
  const rejects: Reject[] = [];
  for (const item of items) {
    if ('event' in item) events.push(item.event);
    else rejects.push(item.reject);
  }
  return toIngestBatch(events, rejects);
}
