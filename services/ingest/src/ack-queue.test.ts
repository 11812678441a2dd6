import { describe, expect, it } from 'vitest';
import { AckQueue } from './ack-queue.js';

function setup() {
  const sent: number[] = [];
  const q = new AckQueue((id) => sent.push(id));
  const receive = (id: number) => {
    const handle = q.add(id);
    q.capture(id);
    return handle;
  };
  return { q, sent, receive };
}

describe('AckQueue', () => {
  it('sends PUBACKs in arrival order, only once every earlier message is committed', () => {
    const { q, sent, receive } = setup();
    const [a, b, c] = [receive(1), receive(2), receive(3)];
    c.ack();
    b.ack();
    expect(sent).toEqual([]);
    expect(q.size).toBe(3);
    a.ack();
    expect(sent).toEqual([1, 2, 3]);
    expect(q.size).toBe(0);
  });

  it('counts the payload bytes in hand until each message is acknowledged, across a ring that grows', () => {
    const q = new AckQueue(() => {});
    const handles = Array.from({ length: 3000 }, (_, i) => {
      const h = q.add(i + 1, 0, 16_384);
      q.capture(i + 1);
      return h;
    });
    expect(q.bytes).toBe(3000 * 16_384);
    for (const h of handles.slice(0, 1000)) h.ack();
    expect(q.bytes).toBe(2000 * 16_384);
    q.reset();
    expect(q.bytes).toBe(0);
  });

  it('waits for the client to hand over a PUBACK before sending it, with its reason code', () => {
    const sent: Array<[number, number]> = [];
    const q = new AckQueue((id, reasonCode) => sent.push([id, reasonCode]));
    const h = q.add(7);
    h.ack();
    expect(sent).toEqual([]);
    expect(q.capture(7, 16)).toBe(true);
    expect(sent).toEqual([[7, 16]]);
    expect(q.capture(7)).toBe(false); // sent already: not ours any more
  });

  it('drops the PUBACKs of a closed connection: the broker redelivers those messages', () => {
    const { q, sent, receive } = setup();
    const old = receive(1);
    const notCaptured = q.add(2);
    q.reset();
    old.ack();
    notCaptured.ack();
    expect(sent).toEqual([]);
    expect(q.size).toBe(0);
    expect(q.capture(2)).toBe(false);
    const fresh = receive(1);
    old.ack(); // the old connection's handle does not acknowledge the new message with the same id
    expect(sent).toEqual([]);
    fresh.ack();
    expect(sent).toEqual([1]);
  });

  it('acks each message once, however often ack() is called', () => {
    const { sent, receive } = setup();
    const a = receive(1);
    a.ack();
    a.ack();
    expect(sent).toEqual([1]);
  });

  it('keeps order and ids across many messages in hand (the ring grows) and message ids reused after their PUBACK', () => {
    const { q, sent, receive } = setup();
    const n = 70_000; // more than the 16-bit id space, more than the initial ring
    const handles = [];
    for (let k = 0; k < 5000; k++) handles.push(receive((k % 65_535) + 1));
    expect(q.size).toBe(5000);
    for (let k = handles.length - 1; k >= 1; k--) handles[k]?.ack();
    expect(sent).toEqual([]);
    handles[0]?.ack();
    expect(sent).toHaveLength(5000);
    expect(sent.slice(0, 3)).toEqual([1, 2, 3]);
    sent.length = 0;
    for (let k = 0; k < n; k++) receive((k % 65_535) + 1).ack();
    expect(sent).toHaveLength(n);
    expect(sent[65_535]).toBe(1);
    expect(q.size).toBe(0);
  });

  it('reports the age of the oldest unacknowledged message', () => {
    const q = new AckQueue(() => {});
    q.add(1, 1000);
    q.add(2, 1500);
    expect(q.oldestAgeMs(2000)).toBe(1000);
    expect(new AckQueue(() => {}).oldestAgeMs(2000)).toBe(0);
  });

  it('tells the reader when PUBACKs went out', () => {
    const { q, receive } = setup();
    let drains = 0;
    q.onDrain = () => {
      drains += 1;
    };
    receive(1).ack();
    expect(drains).toBe(1);
  });
});
