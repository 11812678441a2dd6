import { describe, expect, it } from 'vitest';
import { AckQueue } from './ack-queue.js';

function setup() {
  const q = new AckQueue();
  const sent: number[] = [];
  const receive = (id: number) => {
    const handle = q.add(id);
    q.capture(id, () => sent.push(id));
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

  it('waits for the client to hand over a PUBACK before sending it', () => {
    const q = new AckQueue();
    const sent: number[] = [];
    const h = q.add(7);
    h.ack();
    expect(sent).toEqual([]);
    q.capture(7, () => sent.push(7));
    expect(sent).toEqual([7]);
  });

  it('drops the PUBACKs of a closed connection: the broker redelivers those messages', () => {
    const { q, sent, receive } = setup();
    const old = receive(1);
    q.reset();
    old.ack();
    expect(sent).toEqual([]);
    expect(q.capture(1, () => sent.push(1))).toBe(false);
    const fresh = receive(1);
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

  it('reports the age of the oldest unacknowledged message', () => {
    const q = new AckQueue();
    q.add(1, 1000);
    q.add(2, 1500);
    expect(q.oldestAgeMs(2000)).toBe(1000);
    expect(new AckQueue().oldestAgeMs(2000)).toBe(0);
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
