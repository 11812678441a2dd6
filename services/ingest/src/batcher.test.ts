import { createSilentLogger } from '@freiplatz/config';
import { type IngestBatch, toReject } from '@freiplatz/db';
import type { OccupancyEvent } from '@freiplatz/domain';
import { describe, expect, it } from 'vitest';
import { Batcher, type BatchItem, COMMIT_THREAD_DIED, isPermanentDbError } from './batcher.js';

const event = (seq: number, sensorId = 's1'): OccupancyEvent =>
  ({
    kind: 'bay',
    sensorId,
    ts: new Date(1_800_000_000_000 + seq),
    seq,
    receivedAt: new Date(),
    occupied: true,
    battery: null,
    rssi: null,
    heartbeat: false,
    flags: [],
  }) as unknown as OccupancyEvent;

function setup(commit: (batch: IngestBatch) => Promise<void>, concurrency = 1, minCommitIntervalMs = 0, minCommitItems?: number) {
  const acked: number[] = [];
  const batcher = new Batcher({
    batchSize: 100,
    flushMs: 1,
    minCommitIntervalMs,
    ...(minCommitItems !== undefined ? { minCommitItems } : {}),
    concurrency,
    commit,
    logger: createSilentLogger(),
    retryMinMs: 1,
    retryMaxMs: 2,
  });
  const add = (seq: number, sensorId = 's1') => {
    const item: BatchItem = {
      event: event(seq, sensorId),
      source: { topic: `parking/v1/bays/${sensorId}`, payload: Buffer.from(`{"seq":${seq}}`) },
      ack: { ack: () => acked.push(seq) },
    };
    batcher.add(item);
  };
  return { batcher, acked, add };
}

describe('Batcher', () => {
  it('ends the wait between commits as soon as minCommitItems wait', async () => {
    const starts: Array<{ at: number; size: number }> = [];
    const { batcher, acked, add } = setup(
      async (b) => {
        starts.push({ at: performance.now(), size: b.bay.n });
      },
      1,
      10_000,
      10,
    );
    add(1);
    await expect.poll(() => starts.length).toBe(1);
    for (let i = 2; i <= 5; i++) add(i); // four: fewer than ten, so they wait for the interval
    await new Promise((r) => setTimeout(r, 100));
    expect(starts).toHaveLength(1);
    for (let i = 6; i <= 11; i++) add(i); // ten now wait: the next commit starts, long before 10 s
    await expect.poll(() => starts.length).toBe(2);
    expect(starts[1]?.size).toBe(10);
    expect((starts[1]?.at ?? 0) - (starts[0]?.at ?? 0)).toBeLessThan(5000);
    await batcher.flush();
    expect(acked).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });

  it('spaces commit starts by minCommitIntervalMs, gathering what arrives meanwhile, but commits a full batch at once', async () => {
    const starts: Array<{ at: number; size: number }> = [];
    const { batcher, acked, add } = setup(
      async (b) => {
        starts.push({ at: performance.now(), size: b.bay.n });
      },
      1,
      80,
    );
    add(1);
    await expect.poll(() => starts.length).toBe(1);
    for (let i = 2; i <= 6; i++) add(i); // arrive during the interval: one commit for all five
    await expect.poll(() => acked.length, { timeout: 2000 }).toBe(6);
    expect(starts.map((s) => s.size)).toEqual([1, 5]);
    expect((starts[1]?.at ?? 0) - (starts[0]?.at ?? 0)).toBeGreaterThanOrEqual(75);
    // A full batch (100) does not wait for the interval.
    const before = starts.length;
    for (let i = 7; i <= 106; i++) add(i);
    await expect.poll(() => starts.length).toBe(before + 1);
    expect(starts.at(-1)?.size).toBe(100);
    expect((starts.at(-1)?.at ?? 0) - (starts.at(-2)?.at ?? 0)).toBeLessThan(75);
    await batcher.flush();
    expect(acked).toEqual(Array.from({ length: 106 }, (_, i) => i + 1));
  });

  it('commits a batch as two parts at once with concurrency 2, never the same sensor in both, acknowledged when both committed', async () => {
    const running = new Set<Set<string>>();
    let most = 0;
    let shared = 0;
    const release: Array<() => void> = [];
    const { batcher, acked, add } = setup(async (b) => {
      const sensors = new Set(b.bay.sensorId);
      for (const other of running) for (const id of sensors) if (other.has(id)) shared += 1;
      running.add(sensors);
      most = Math.max(most, running.size);
      await new Promise<void>((resolve) => release.push(resolve));
      running.delete(sensors);
    }, 2);
    for (let i = 1; i <= 500; i++) add(i, `s${i % 10}`);
    await expect.poll(() => release.length).toBe(2);
    release.shift()?.(); // one part of the batch commits: nothing is acknowledged before the other does
    await new Promise((r) => setTimeout(r, 20));
    expect(acked).toEqual([]);
    release.shift()?.();
    await expect.poll(() => acked.length).toBe(100);
    for (;;) {
      const next = release.shift();
      if (next) next();
      else if (acked.length === 500) break;
      await new Promise((r) => setTimeout(r, 1));
    }
    await batcher.flush();
    expect(most).toBe(2);
    expect(shared).toBe(0);
    expect([...acked].sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
  });

  it('keeps one commit at a time for one sensor, whatever the concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    const { batcher, acked, add } = setup(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
    }, 4);
    for (let i = 1; i <= 300; i++) {
      add(i, 'one-sensor');
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await batcher.flush();
    expect(most).toBe(1);
    expect(acked).toHaveLength(300);
  });

  it('commits in one batch and acknowledges after the commit', async () => {
    const commits: number[] = [];
    const { batcher, acked, add } = setup(async (b) => {
      commits.push(b.bay.n);
    });
    for (let i = 1; i <= 5; i++) add(i);
    await batcher.flush();
    expect(commits).toEqual([5]);
    expect(acked).toEqual([1, 2, 3, 4, 5]);
  });

  it('retries a transient failure and acknowledges nothing until it commits', async () => {
    let attempts = 0;
    const { batcher, acked, add } = setup(async () => {
      attempts += 1;
      if (attempts < 3) throw Object.assign(new Error('connection terminated'), { code: '57P01' });
    });
    add(1);
    await batcher.flush();
    expect(attempts).toBe(3);
    expect(acked).toEqual([1]);
  });

  it('isolates an event the database refuses into a dead letter, and stores the rest', async () => {
    const stored: number[] = [];
    const deadLetters: string[] = [];
    const { batcher, acked, add } = setup(async (b) => {
      if (b.bay.seq.includes(13)) throw Object.assign(new Error('value out of range'), { code: '22003' });
      stored.push(...b.bay.seq);
      deadLetters.push(...b.rejects.map((r) => `${r.code} ${Buffer.from(r.payload).toString()} ${r.reason}`));
    });
    for (let i = 1; i <= 20; i++) add(i);
    await batcher.flush();
    expect(stored.sort((a, b) => a - b)).toEqual([...Array(20).keys()].map((i) => i + 1).filter((i) => i !== 13));
    expect(deadLetters).toEqual(['STORE_FAILED {"seq":13} the database refused the decoded event: value out of range']);
    expect(acked.sort((a, b) => a - b)).toHaveLength(20);
  });

  it('dead-letters the one message whose batch kills the commit thread twice, instead of retrying the batch forever', async () => {
    const stored: number[] = [];
    const deadLetters: string[] = [];
    let deaths = 0;
    const { batcher, acked, add } = setup(async (b) => {
      if (b.bay.seq.includes(7)) {
        deaths += 1;
        throw Object.assign(new Error('commit thread exited (code 1)'), { code: COMMIT_THREAD_DIED });
      }
      stored.push(...b.bay.seq);
      deadLetters.push(...b.rejects.map((r) => `${r.code} ${Buffer.from(r.payload).toString()} ${r.payloadSize}`));
    });
    for (let i = 1; i <= 16; i++) add(i);
    await batcher.flush();
    expect(stored.sort((a, b) => a - b)).toEqual([...Array(16).keys()].map((i) => i + 1).filter((i) => i !== 7));
    expect(deadLetters).toEqual(['STORE_FAILED {"seq":7} 9']);
    // Twice for the whole batch, then once per halving (16 → 8 → 4 → 2 → 1).
    expect(deaths).toBe(6);
    expect(acked).toHaveLength(16);
  });

  it('retries a batch whose thread died once (a death of its own, not the batch)', async () => {
    let attempts = 0;
    const { batcher, acked, add } = setup(async () => {
      attempts += 1;
      if (attempts === 1) throw Object.assign(new Error('commit thread exited (code 1)'), { code: COMMIT_THREAD_DIED });
    });
    for (let i = 1; i <= 4; i++) add(i);
    await batcher.flush();
    expect(attempts).toBe(2);
    expect(acked).toEqual([1, 2, 3, 4]);
  });

  it('bounds a batch by bytes as well as by messages, taking at least one message however large', async () => {
    const sizes: number[][] = [];
    const batcher = new Batcher({
      batchSize: 100,
      batchMaxBytes: 10_000,
      flushMs: 1,
      commit: async (b) => {
        sizes.push(b.rejects.map((r) => r.payload.length));
      },
      logger: createSilentLogger(),
    });
    const reject = (bytes: number): BatchItem => ({
      reject: toReject({ topic: 't', payload: new Uint8Array(bytes), code: 'NOT_JSON', reason: 'r', receivedAt: new Date() }),
      ack: { ack() {} },
    });
    // Rejected payloads are kept to 1 KiB each: nine fit in 10,000 bytes, the tenth starts a new batch.
    for (let i = 0; i < 25; i++) batcher.add(reject(16_000));
    expect(batcher.bytes).toBe(25 * 1024);
    await batcher.flush();
    expect(sizes.map((s) => s.length)).toEqual([9, 9, 7]);
    expect(sizes.flat().every((n) => n === 1024)).toBe(true);
    expect(batcher.bytes).toBe(0);
  });

  it.each([
    ['22003', true],
    ['23514', true],
    ['54000', true],
    ['57P01', false],
    ['40P01', false],
    ['08006', false],
    [undefined, false],
  ])('treats SQLSTATE %s as permanent: %s', (code, expected) => {
    expect(isPermanentDbError(code === undefined ? new Error('x') : Object.assign(new Error('x'), { code }))).toBe(expected);
  });
});
