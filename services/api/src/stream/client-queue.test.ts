import { describe, expect, it } from 'vitest';
import { ClientQueue } from './client-queue.js';

const drain = (q: ClientQueue) => {
  const out: Array<[string, number | null]> = [];
  for (let next = q.take(); next; next = q.take()) out.push([next.facilityId, next.eventSeq]);
  return out;
};

describe('ClientQueue', () => {
  it('coalesces changes per facility, so a slow client holds at most one entry per facility', () => {
    const q = new ClientQueue(null, 0);
    for (let seq = 1; seq <= 10_000; seq++) q.offer(`f${seq % 3}`, seq);
    expect(q.size).toBe(3);
  });

  it('gives each event the id to resume from without missing a change still queued', () => {
    const q = new ClientQueue(null, 4);
    q.offer('a', 5);
    q.offer('b', 6);
    q.offer('a', 7);
    // Sending a (latest state, seq 7) while b (seq 6) waits: resuming must replay from 6.
    expect(drain(q)).toEqual([
      ['a', 5],
      ['b', 7],
    ]);
  });

  it('sends snapshot entries without ids until the snapshot is complete', () => {
    const q = new ClientQueue(null, 9);
    q.offerSnapshot('a');
    q.offerSnapshot('b');
    q.offer('c', 10);
    expect(drain(q)).toEqual([
      ['a', null],
      ['b', 9],
      ['c', 10],
    ]);
  });

  it('queues only filtered facilities but advances the resume point past others', () => {
    const q = new ClientQueue(new Set(['a']), 0);
    q.offer('x', 1);
    q.offer('a', 2);
    q.offer('y', 3);
    q.offerSnapshot('z');
    expect(drain(q)).toEqual([['a', 3]]);
  });

  it('wakes a waiting writer on offer and on close', async () => {
    const q = new ClientQueue(null, 0);
    const waiting = q.wait();
    q.offer('a', 1);
    await waiting;
    const again = q.wait();
    q.close();
    await again;
    expect(q.closed).toBe(true);
  });
});
