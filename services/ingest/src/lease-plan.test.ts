import { describe, expect, it } from 'vitest';
import { lockKeys, planLeases } from './lease-plan.js';

const slots = ['s1', 's2', 's3'];
const plan = (home: string | undefined, held: string[], homeElsewhere: string[]) =>
  planLeases({ slots, home, held: new Set(held), homeElsewhere: new Set(homeElsewhere) });

describe('planLeases', () => {
  it.each([
    ['a worker alone takes its home first, then every slot nobody is home for', 's2', [], [], { acquire: ['s2', 's1', 's3'], release: [] }],
    ['leaves slots whose home worker is up', 's1', ['s1'], ['s2', 's3'], { acquire: [], release: [] }],
    ['takes over the slot of a worker that is away', 's1', ['s1'], ['s2'], { acquire: ['s3'], release: [] }],
    ['gives a slot back once its home worker is up again', 's1', ['s1', 's3'], ['s2', 's3'], { acquire: [], release: ['s3'] }],
    ['keeps asking for its home while another worker still holds it', 's3', [], ['s1', 's2'], { acquire: ['s3'], release: [] }],
    ['a standby (no home) only takes slots whose worker is away', undefined, [], ['s1', 's3'], { acquire: ['s2'], release: [] }],
  ] as const)('%s', (_, home, held, homes, expected) => {
    expect(plan(home, [...held], [...homes])).toEqual(expected);
  });
});

describe('lockKeys', () => {
  it('gives each slot its own positive key, apart for leases and presence', () => {
    const [leaseClass, a] = lockKeys('lease', 'ingest-1@svc');
    const [presenceClass, b] = lockKeys('presence', 'ingest-1@svc');
    expect(leaseClass).not.toBe(presenceClass);
    expect(a).toBe(b);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(2 ** 31);
    expect(lockKeys('lease', 'ingest-2@svc')[1]).not.toBe(a);
  });
});
