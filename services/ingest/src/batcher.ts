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
   * Lanes committing at the same time (default 1). Each sensor belongs to one lane (by a hash of
   * its id), so concurrent commits never share a sensor: they do not wait on each other's sensor
   * state rows and overlap in everything but the short facility update at their end.
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

/** One lane: its items waiting, its flush timer, its commit loop while one runs. */
interface Lane {
  pending: BatchItem[];
  timer: NodeJS.Timeout | null;
  loop: Promise<void> | null;
}

/** FNV-1a of a string: spreads sensor ids over lanes, the same id always to the same lane. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Groups items into batches (size or time, whichever first), one lane per concurrent commit, and
 * commits each lane's batches one after another, each retried with backoff until it succeeds;
 * acks are released only after a commit (the ack queue still sends them in arrival order).
 */
export class Batcher {
  private readonly lanes: Lane[];
  private stopping = false;
  private deadline: number | undefined;

  constructor(private readonly options: BatcherOptions) {
    const n = Math.max(1, options.concurrency ?? 1);
    this.lanes = Array.from({ length: n }, () => ({ pending: [], timer: null, loop: null }));
  }

  get size(): number {
    let n = 0;
    for (const lane of this.lanes) n += lane.pending.length;
    return n;
  }

  add(item: BatchItem): void {
    const lane = this.laneOf(item);
    lane.pending.push(item);
    if (lane.pending.length >= this.options.batchSize) this.kick(lane);
    else lane.timer ??= setTimeout(() => this.kick(lane), this.options.flushMs);
  }

  /** Commits everything in hand; with `deadline`, gives up retrying after it (items stay unacked). */
  async flush(deadline?: number): Promise<void> {
    this.stopping = deadline !== undefined;
    this.deadline = deadline;
    for (const lane of this.lanes) this.kick(lane);
    for (;;) {
      const loops = this.lanes.flatMap((lane) => (lane.loop ? [lane.loop] : []));
      if (loops.length === 0) return;
      await Promise.all(loops);
    }
  }

  private laneOf(item: BatchItem): Lane {
    const lanes = this.lanes;
    if (lanes.length === 1) return lanes[0] as Lane;
    const key = 'event' in item ? item.event.sensorId : item.reject.topic;
    return lanes[hashOf(key) % lanes.length] as Lane;
  }

  private kick(lane: Lane): void {
    if (lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = null;
    }
    // A running loop takes whatever arrived during its commit when that commit ends.
    if (lane.loop !== null || lane.pending.length === 0) return;
    lane.loop = this.drain(lane).finally(() => {
      lane.loop = null;
      if (lane.pending.length > 0 && !this.stopping) lane.timer ??= setTimeout(() => this.kick(lane), this.options.flushMs);
    });
  }

  private async drain(lane: Lane): Promise<void> {
    while (lane.pending.length > 0) {
      // Take what is there (up to a batch): items that arrived during the last commit ride along.
      const items = lane.pending.splice(0, this.options.batchSize);
      if (!(await this.commitWithRetry(items, true))) {
        lane.pending.unshift(...items);
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
