import type { Logger } from '@freiplatz/config';
import type { IngestBatch, Reject } from '@freiplatz/db';
import type { OccupancyEvent } from '@freiplatz/domain';
import type { AckHandle } from './ack-queue.js';

export type BatchItem = { event: OccupancyEvent; ack: AckHandle } | { reject: Reject; ack: AckHandle };

export interface BatcherOptions {
  batchSize: number;
  flushMs: number;
  commit: (batch: IngestBatch) => Promise<void>;
  logger: Logger;
  onCommitError?: (err: unknown) => void;
  /** Backoff bounds for retrying a failed commit. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Groups items into batches (size or time, whichever first) and commits one batch at a time,
 * retrying with backoff until it succeeds; acks are released only after a commit.
 */
export class Batcher {
  private pending: BatchItem[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
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
    while (this.running) await this.running;
  }

  private deadline: number | undefined;

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.running ??= this.drain().finally(() => {
      this.running = null;
      if (this.pending.length > 0 && !this.stopping) this.timer ??= setTimeout(() => this.kick(), this.options.flushMs);
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      // Take what is there (up to a batch): items that arrived during the last commit ride along.
      const items = this.pending.splice(0, this.options.batchSize);
      const batch: { events: OccupancyEvent[]; rejects: Reject[] } = { events: [], rejects: [] };
      for (const item of items) {
        if ('event' in item) batch.events.push(item.event);
        else batch.rejects.push(item.reject);
      }
      let delay = this.options.retryMinMs ?? 100;
      for (;;) {
        try {
          await this.options.commit(batch);
          break;
        } catch (err) {
          this.options.onCommitError?.(err);
          this.options.logger.warn({ err, items: items.length, retryInMs: delay }, 'batch commit failed: retrying');
          if (this.deadline !== undefined && Date.now() + delay > this.deadline) {
            this.options.logger.error({ items: items.length }, 'giving up at shutdown: the broker will redeliver these');
            this.pending.unshift(...items);
            return;
          }
          await sleep(delay);
          delay = Math.min(delay * 2, this.options.retryMaxMs ?? 5000);
        }
      }
      for (const item of items) item.ack.ack();
    }
  }
}
