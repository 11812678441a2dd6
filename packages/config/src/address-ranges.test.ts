import { describe, expect, it } from 'vitest';
import { addressRangeProblem, createAddressMatcher } from './address-ranges.js';
import { apiEnvSchema } from './env.js';

describe('trusted proxy addresses and ranges', () => {
  const match = createAddressMatcher(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);

  it.each([
    ['10.1.2.3', true],
    ['::ffff:10.200.0.1', true],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['11.0.0.1', false],
    ['fd12:3456::1', true],
    ['fe80::1', false],
    ['unknown', false],
    ['', false],
  ])('matches %s: %s', (address, expected) => {
    expect(match(address)).toBe(expected);
  });

  it.each(['10.0.0.0/33', 'nginx', '10.0.0.0/8/1', '::/129', '10.0.0.0/x'])('refuses the entry %s', (entry) => {
    expect(addressRangeProblem(entry)).not.toBeNull();
  });

  it('accepts CIDR ranges in API_TRUSTED_PROXIES and names a bad entry', () => {
    expect(apiEnvSchema.parse({ API_TRUSTED_PROXIES: '172.28.0.0/24, 127.0.0.1' }).API_TRUSTED_PROXIES).toEqual([
      '172.28.0.0/24',
      '127.0.0.1',
    ]);
    const bad = apiEnvSchema.safeParse({ API_TRUSTED_PROXIES: '10.0.0.0/8,proxy.local' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('proxy.local');
  });
});
