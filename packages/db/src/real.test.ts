import { describe, expect, it } from 'vitest';
import { toReal, toText } from './real.js';

describe('toReal', () => {
  it.each([
    [3.6, 3.6],
    [-97, -97],
    [0, 0],
    [9e-323, 0],
    [-1e-40, 0],
    [1e39, null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    [null, null],
    [undefined, null],
  ])('%s → %s', (input, expected) => {
    expect(toReal(input)).toBe(expected);
  });
});

describe('toText', () => {
  it('replaces NUL characters, which PostgreSQL text cannot hold', () => {
    expect(toText('a\u0000b')).toBe('a\uFFFDb');
    expect(toText('plain')).toBe('plain');
  });
});
