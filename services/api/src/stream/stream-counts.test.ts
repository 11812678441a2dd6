import { describe, expect, it } from 'vitest';
import { StreamCounts } from './stream-counts.js';

describe('StreamCounts', () => {
  it('lets each key hold at most max streams and frees a slot once per release', () => {
    const counts = new StreamCounts(2);
    const a1 = counts.open('a');
    const a2 = counts.open('a');
    expect(a1).toBeTypeOf('function');
    expect(a2).toBeTypeOf('function');
    expect(counts.open('a')).toBeNull();
    expect(counts.open('b')).toBeTypeOf('function');
    a1?.();
    a1?.();
    expect(counts.of('a')).toBe(1);
    expect(counts.open('a')).toBeTypeOf('function');
    expect(counts.open('a')).toBeNull();
  });

  it('forgets a key whose streams have all ended', () => {
    const counts = new StreamCounts(1);
    counts.open('a')?.();
    expect(counts.of('a')).toBe(0);
    expect(counts.open('a')).toBeTypeOf('function');
  });
});
