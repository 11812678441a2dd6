/** One received QoS 1 message waiting for its PUBACK. */
interface Entry {
  messageId: number;
  generation: number;
  committed: boolean;
  /** Set once the MQTT client has handed over the PUBACK it wanted to send. */
  send: (() => void) | null;
  receivedAt: number;
}

export interface AckHandle {
  /** Marks the message committed; its PUBACK leaves once every earlier message is committed too. */
  ack(): void;
}

/**
 * Keeps PUBACKs in arrival order and releases each only after its message is committed.
 * Entries of a closed connection are dropped: the broker redelivers those messages.
 */
export class AckQueue {
  private entries: Entry[] = [];
  private head = 0;
  private byId = new Map<number, Entry>();
  private generation = 0;

  /** Messages received and not yet acknowledged (this connection). */
  get size(): number {
    return this.entries.length - this.head;
  }

  /** Milliseconds since the oldest unacknowledged message arrived (0 when none). */
  oldestAgeMs(now = Date.now()): number {
    const first = this.entries[this.head];
    return first ? now - first.receivedAt : 0;
  }

  /** Registers a received message; returns its handle for the batcher. */
  add(messageId: number, now = Date.now()): AckHandle {
    const entry: Entry = { messageId, generation: this.generation, committed: false, send: null, receivedAt: now };
    this.entries.push(entry);
    this.byId.set(messageId, entry);
    return {
      ack: () => {
        if (entry.generation !== this.generation || entry.committed) return;
        entry.committed = true;
        this.flush();
      },
    };
  }

  /** Takes over the client's PUBACK for a registered message; false when the message is not ours to hold. */
  capture(messageId: number, send: () => void): boolean {
    const entry = this.byId.get(messageId);
    if (!entry || entry.send) return false;
    entry.send = send;
    this.flush();
    return true;
  }

  /** Forgets every pending entry: the connection they belong to is gone. */
  reset(): void {
    this.generation += 1;
    this.entries = [];
    this.head = 0;
    this.byId.clear();
  }

  /** Called after PUBACKs were sent (to release readers waiting for room). */
  onDrain: () => void = () => {};

  private flush(): void {
    let sent = 0;
    for (;;) {
      const e = this.entries[this.head];
      if (!e?.committed || !e.send) break;
      this.head += 1;
      this.byId.delete(e.messageId);
      e.send();
      sent += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    if (sent > 0) this.onDrain();
  }
}
