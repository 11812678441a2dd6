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
   * Batches committed at the same time (default 1). With 2, one batch inserts its events while the
   * other holds the facility locks: under load (a full batch waiting) the database works on both.
   */
  concurrency?: number;
  commit: (batch: IngestBatch) => Promise<void>;
  logger: Logger;
  onCommitError?: (err: unknown) => void;
  /** Backoff bounds for retrying a failed commit. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Groups items into batches (size or time, whichever first) and commits up to `concurrency`
 * batches at a time, each retried with backoff until it succeeds; acks are released only after a
 * commit (the ack queue still sends them in arrival order).
 */
export class Batcher {
  private pending: BatchItem[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly loops = new Set<Promise<void>>();
  private stopping = false;

  constructor(private readonly options: BatcherOptions) {}

  get size(): number {
    return this.pending.length;
  }

  add(item: BatchItem): void {
    this.pending.push(item);
    if (this.pending.length >= this.options.batchSize) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.options.flushMs);
  }

  /** Commits everything in hand; with `deadline`, gives up retrying after it (items stay unacked). */
  async flush(deadline?: number): Promise<void> {
    this.stopping = deadline !== undefined;
    this.deadline = deadline;
    this.kick();
    while (this.loops.size > 0) await Promise.all(this.loops);
  }

  private deadline: number | undefined;

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const concurrency = Math.max(1, this.options.concurrency ?? 1);
    // Each loop takes its first batch before it awaits anything. A second loop starts only for a full
    // batch (load): under light load one loop commits by time, and small batches are not split further.
    while (
      this.pending.length > 0 &&
      (this.loops.size === 0 || (this.loops.size < concurrency && this.pending.length >= this.options.batchSize))
    ) {
      const loop: Promise<void> = this.drain().finally(() => {
        this.loops.delete(loop);
        if (this.pending.length > 0 && !this.stopping) this.timer ??= setTimeout(() => this.kick(), this.options.flushMs);
      });
      this.loops.add(loop);
    }
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      // Take what is there (up to a batch): items that arrived during the last commit ride along.
      const items = this.pending.splice(0, this.options.batchSize);
      if (!(await this.commitWithRetry(items, true))) {
        this.pending.unshift(...items);
        return;
      }
      for (const item of items) item.ack.ack();
    }
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
