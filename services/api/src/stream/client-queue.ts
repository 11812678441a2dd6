/** Marks a facility queued by the initial snapshot rather than by a numbered change. */
const SNAPSHOT = 0;

/**
 * What one stream client still has to be sent: at most one entry per facility (a newer change
 * coalesces into the pending one, since only the latest state is sent), so memory stays bounded
 * by the number of facilities however slowly the client reads.
 */
export class ClientQueue {
  /** Facility id → sequence number of the first change not yet sent, in that order. */
  readonly #pending = new Map<string, number>();
  #lastSeq: number;
  #wake: (() => void) | null = null;
  /** Set when the server shuts down: the stream ends. */
  closed = false;

  constructor(
    readonly filter: ReadonlySet<string> | null,
    lastSeq: number,
  ) {
    this.#lastSeq = lastSeq;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Queues a change; changes to facilities outside the filter only advance the resume point. */
  offer(facilityId: string, seq: number): void {
    if (seq > this.#lastSeq) this.#lastSeq = seq;
    if (this.filter && !this.filter.has(facilityId)) return;
    if (!this.#pending.has(facilityId)) this.#pending.set(facilityId, seq);
    this.wake();
  }

  /** Queues the current state of a facility as part of the initial snapshot. */
  offerSnapshot(facilityId: string): void {
    if (this.filter && !this.filter.has(facilityId)) return;
    if (!this.#pending.has(facilityId)) this.#pending.set(facilityId, SNAPSHOT);
    this.wake();
  }

  /**
   * Takes the next facility to send and the event id to send with it: the point a reconnecting
   * client may resume from without missing anything still queued, or null while snapshot
   * entries remain (a client cut off mid-snapshot must get a fresh one).
   */
  take(): { facilityId: string; eventSeq: number | null } | null {
    const first = this.#pending.keys().next();
    if (first.done) return null;
    this.#pending.delete(first.value);
    const next = this.#pending.values().next();
    if (next.done) return { facilityId: first.value, eventSeq: this.#lastSeq };
    return { facilityId: first.value, eventSeq: next.value === SNAPSHOT ? null : next.value - 1 };
  }

  /** Resolves at the next offer or `wake()`. */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** Ends the stream at its next turn. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  wake(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
