export interface AckHandle {
  /** Marks the message committed; its PUBACK leaves once every earlier message is committed too. */
  ack(): void;
}

/** Sends the PUBACK of one message (built at release time: nothing of the client's packet is kept). */
export type SendPuback = (messageId: number, reasonCode: number) => void;

const COMMITTED = 1;
const CAPTURED = 2;
const READY = COMMITTED | CAPTURED;

/** The batcher's handle on one message: the queue and the message's position, nothing else. */
class Ticket implements AckHandle {
  constructor(
    private readonly queue: AckQueue,
    private readonly seq: number,
  ) {}

  ack(): void {
    this.queue.commit(this.seq);
  }
}

/**
 * Keeps PUBACKs in arrival order and releases each only after its message is committed.
 * Entries of a closed connection are dropped: the broker redelivers those messages.
 *
 * Every received message gets a position (`seq`, counting up for the life of the queue, never
 * reused). The messages between `head` (oldest unacknowledged) and `tail` live in a ring of typed
 * arrays — message id, arrival time, state bits, PUBACK reason code, payload size — so a message in
 * hand costs about 16 bytes here plus its `Ticket`, instead of an entry object, a map entry, the client's
 * PUBACK packet and two closures. A reset moves `head` to `tail`: tickets and captures of the old
 * connection then point before `head` and are ignored.
 */
export class AckQueue {
  private mask = 1023;
  private ids = new Uint16Array(1024);
  private times = new Float64Array(1024);
  private states = new Uint8Array(1024);
  private reasons = new Uint8Array(1024);
  private sizes = new Uint32Array(1024);
  private heldBytes = 0;
  /** Position of the newest message with each id (MQTT message ids are 16-bit; -1: none). */
  private readonly seqOfId = new Float64Array(65_536).fill(-1);
  private head = 0;
  private tail = 0;

  constructor(private readonly send: SendPuback) {}

  /** Messages received and not yet acknowledged (this connection). */
  get size(): number {
    return this.tail - this.head;
  }

  /** Payload bytes of the messages received and not yet acknowledged (this connection). */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Milliseconds since the oldest unacknowledged message arrived (0 when none). */
  oldestAgeMs(now = Date.now()): number {
    return this.head < this.tail ? now - (this.times[this.head & this.mask] as number) : 0;
  }

  /** Registers a received message (`bytes`: its payload's size); returns its handle for the batcher. */
  add(messageId: number, now = Date.now(), bytes = 0): AckHandle {
    if (this.tail - this.head > this.mask) this.grow();
    const seq = this.tail++;
    const i = seq & this.mask;
    this.ids[i] = messageId;
    this.times[i] = now;
    this.states[i] = 0;
    this.reasons[i] = 0;
    this.sizes[i] = bytes;
    this.heldBytes += bytes;
    this.seqOfId[messageId] = seq;
    return new Ticket(this, seq);
  }

  /**
   * Takes over the client's PUBACK for a registered message (only its reason code is kept); false
   * when the message is not ours to hold (its connection closed, or its PUBACK was handed over already).
   */
  capture(messageId: number, reasonCode = 0): boolean {
    const seq = this.seqOfId[messageId] as number;
    if (seq < this.head || seq >= this.tail) return false;
    const i = seq & this.mask;
    if ((this.states[i] as number) & CAPTURED) return false;
    this.states[i] = (this.states[i] as number) | CAPTURED;
    this.reasons[i] = reasonCode;
    if (seq === this.head) this.flush();
    return true;
  }

  /** Marks the message at `seq` committed (what `AckHandle.ack` does); ignored when it is not in hand. */
  commit(seq: number): void {
    if (seq < this.head || seq >= this.tail) return;
    const i = seq & this.mask;
    if ((this.states[i] as number) & COMMITTED) return;
    this.states[i] = (this.states[i] as number) | COMMITTED;
    if (seq === this.head) this.flush();
  }

  /** Forgets every pending entry: the connection they belong to is gone. */
  reset(): void {
    this.head = this.tail;
    this.heldBytes = 0;
  }

  /** Called after PUBACKs were sent (to release readers waiting for room). */
  onDrain: () => void = () => {};

  private flush(): void {
    const start = this.head;
    while (this.head < this.tail) {
      const i = this.head & this.mask;
      if (this.states[i] !== READY) break;
      const messageId = this.ids[i] as number;
      this.head += 1;
      this.heldBytes -= this.sizes[i] as number;
      if (this.seqOfId[messageId] === this.head - 1) this.seqOfId[messageId] = -1;
      this.send(messageId, this.reasons[i] as number);
    }
    if (this.head > start) this.onDrain();
  }

  /** Doubles the ring; every message keeps its position (index = seq & mask). */
  private grow(): void {
    const size = (this.mask + 1) * 2;
    const mask = size - 1;
    const ids = new Uint16Array(size);
    const times = new Float64Array(size);
    const states = new Uint8Array(size);
    const reasons = new Uint8Array(size);
    const sizes = new Uint32Array(size);
    for (let seq = this.head; seq < this.tail; seq++) {
      const from = seq & this.mask;
      const to = seq & mask;
      ids[to] = this.ids[from] as number;
      times[to] = this.times[from] as number;
      states[to] = this.states[from] as number;
      reasons[to] = this.reasons[from] as number;
      sizes[to] = this.sizes[from] as number;
    }
    this.mask = mask;
    this.ids = ids;
    this.times = times;
    this.states = states;
    this.reasons = reasons;
    this.sizes = sizes;
  }
}
