import { describe, expect, it } from 'vitest';
import { createSessionCodec } from './session.js';

const now = new Date('2026-11-27T10:00:00Z');

describe('operator session cookies', () => {
  const codec = createSessionCodec(Buffer.alloc(32, 7), 60_000);

  it('round-trips a key id until it expires', () => {
    const value = codec.issue('abc123', now);
    expect(codec.read(value, now)).toBe('abc123');
    expect(codec.read(value, new Date(now.getTime() + 59_000))).toBe('abc123');
    expect(codec.read(value, new Date(now.getTime() + 61_000))).toBeNull();
  });

  it.each([
    ['a tampered key id', (v: string) => v.replace('abc123', 'abc124')],
    ['a stretched expiry', (v: string) => v.replace(/\.(\d+)\./, (_m, n: string) => `.${Number(n) + 1}.`)],
    ['a changed signature', (v: string) => v.slice(0, -1) + (v.endsWith('A') ? 'B' : 'A')],
    ['another secret', () => createSessionCodec(Buffer.alloc(32, 8), 60_000).issue('abc123', now)],
    ['garbage', () => 'not-a-session'],
    ['nothing', () => ''],
  ])('refuses %s', (_name, mutate) => {
    expect(codec.read(mutate(codec.issue('abc123', now)), now)).toBeNull();
  });

  it('binds form tokens to the session', () => {
    const a = codec.issue('abc123', now);
    const b = codec.issue('abc123', new Date(now.getTime() + 1));
    expect(codec.csrfToken(a)).toBe(codec.csrfToken(a));
    expect(codec.csrfToken(a)).not.toBe(codec.csrfToken(b));
  });
});
