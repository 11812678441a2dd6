import { describe, expect, it } from 'vitest';
import { isNewer, pickNewest } from './state.js';

const at = (s: number, seq: number | null = null) => ({ ts: new Date(s * 1000), seq });

describe('isNewer', () => {
  it.each([
    ['no current state', at(1), null, true],
    ['later ts', at(2), at(1), true],
    ['earlier ts arriving late', at(1), at(2), false],
    ['same ts, higher seq', at(1, 5), at(1, 4), true],
    ['same ts and seq (duplicate)', at(1, 5), at(1, 5), false],
    ['same ts, no seq vs seq', at(1), at(1, 0), false],
  ])('%s → %s', (_name, candidate, current, expected) => {
    expect(isNewer(candidate, current)).toBe(expected);
  });
});

describe('pickNewest', () => {
  it('gives the same result whatever the order of arrival or duplicates', () => {
    const events = [
      { id: 'a', ...at(3), v: 'a3' },
      { id: 'a', ...at(1), v: 'a1' },
      { id: 'b', ...at(2), v: 'b2' },
      { id: 'a', ...at(3), v: 'a3' },
    ];
    const orders = [events, [...events].reverse(), [events[2], events[0], events[3], events[1]]];
    for (const order of orders) {
      const newest = pickNewest(order as typeof events, (e) => e.id);
      expect([...newest.values()].map((e) => e.v).sort()).toEqual(['a3', 'b2']);
    }
  });
});
