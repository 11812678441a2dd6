import type { Logger } from '@freiplatz/config';
import type { IngestBatch, Reject } from '@freiplatz/db';
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

function toDeadLetter(item: BatchItem, err: unknown): BatchItem {
  if (!('event' in item)) return item;
  const message = err instanceof Error ? err.message : String(err);
  return {
    reject: {
      topic: item.source?.topic ?? `(sensor ${item.event.sensorId})`,
      payload: item.source?.payload ?? Buffer.from(JSON.stringify(item.event)),
      code: 'STORE_FAILED',
      reason: `the database refused the decoded event: ${message.slice(0, 300)}`,
      receivedAt: item.event.receivedAt,
    },
    ack: item.ack,
  };
}

export interface BatcherOptions {
  batchSize: number;
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

  constructor(private readonly options: BatcherOptions) {
    this.lanes = Math.max(1, options.concurrency ?? 1);
    this.enough = Math.min(options.minCommitItems ?? options.batchSize, options.batchSize);
  }

  get size(): number {
    return this.pending.length;
  }

  add(item: BatchItem): void {
    this.pending.push(item);
    if (this.pending.length >= this.enough) this.wake?.();
    if (this.pending.length >= this.options.batchSize) this.kick();
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
      const items = this.pending.splice(0, this.options.batchSize);
      const parts = this.split(items);
      const done = await Promise.all(parts.map((part) => this.commitWithRetry(part, true)));
      if (done.includes(false)) {
        // Given up at shutdown: what did not commit stays unacknowledged (the broker redelivers).
        this.pending.unshift(...parts.filter((_, i) => !done[i]).flat());
        for (const [i, part] of parts.entries()) if (done[i]) for (const item of part) item.ack.ack();
        return;
      }
      for (const item of items) item.ack.ack();
    }
  }

  /** Waits until `minCommitIntervalMs` after the last commit's start, unless enough items wait or a flush began. */
  private async spaceCommits(): Promise<void> {
    const wait = this.lastCommitStart + (this.options.minCommitIntervalMs ?? 0) - performance.now();
    if (wait <= 0 || this.stopping || this.pending.length >= this.enough) return;
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

  /** Commits `items`, retrying transient failures; false when it gave up at shutdown (items stay unacked). */
  private async commitWithRetry(items: BatchItem[], isolate: boolean): Promise<boolean> {
    let delay = this.options.retryMinMs ?? 100;
    for (;;) {
      try {
        await this.options.commit(toBatch(items));
        return true;
      } catch (err) {
        this.options.onCommitError?.(err);
        if (isolate && isPermanentDbError(err)) {
          this.options.logger.warn({ err, items: items.length }, 'the database refused part of a batch: isolating the message');
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
    return (await this.commitWithRetry(items.slice(0, mid), true)) && (await this.commitWithRetry(items.slice(mid), true));
  }
}

function toBatch(items: readonly BatchItem[]): { events: OccupancyEvent[]; rejects: Reject[] } {
  const batch: { events: OccupancyEvent[]; rejects: Reject[] } = { events: [], rejects: [] };
  for (const item of items) {
    if ('event' in item) batch.events.push(item.event);
    else batch.rejects.push(item.reject);
  }
  return batch;
}
