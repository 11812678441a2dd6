import { describe, expect, it } from 'vitest';
import { aggregateHistory, type HistoryBucket, historyIntervals } from './history.js';

const bucket = (iso: string, free: { avg: number; min: number; max: number; last: number }, samples = 1): HistoryBucket => ({
  bucket: new Date(iso),
  samples,
  capacity: 10,
  freeAvg: free.avg,
  freeMin: free.min,
  freeMax: free.max,
  freeLast: free.last,
  occupiedAvg: 10 - free.avg,
  unknownAvg: 0,
});

describe('aggregateHistory', () => {
  const from = new Date('2026-06-01T10:00:00Z');
  const to = new Date('2026-06-01T11:00:00Z');

  it('returns 15-minute buckets as they are and carries the last state into empty ones', () => {
    const points = aggregateHistory(
      [
        bucket('2026-06-01T09:30:00Z', { avg: 5, min: 4, max: 6, last: 6 }),
        bucket('2026-06-01T10:30:00Z', { avg: 2, min: 1, max: 3, last: 3 }, 4),
      ],
      from,
      to,
      historyIntervals['15m'],
    );
    expect(points.map((p) => [p.start.toISOString().slice(11, 16), p.free, p.samples])).toEqual([
      ['10:00', { avg: 6, min: 6, max: 6 }, 0],
      ['10:15', { avg: 6, min: 6, max: 6 }, 0],
      ['10:30', { avg: 2, min: 1, max: 3 }, 4],
      ['10:45', { avg: 3, min: 3, max: 3 }, 0],
    ]);
  });

  it('rolls quarters up into hours, every quarter weighing the same', () => {
    const [hour] = aggregateHistory(
      [
        bucket('2026-06-01T10:00:00Z', { avg: 8, min: 7, max: 9, last: 8 }, 2),
        bucket('2026-06-01T10:30:00Z', { avg: 2, min: 0, max: 4, last: 4 }, 3),
      ],
      from,
      to,
      historyIntervals['1h'],
    );
    // 10:00 → 8, 10:15 → carried 8, 10:30 → 2, 10:45 → carried 4.
    expect(hour).toMatchObject({ capacity: 10, free: { avg: 5.5, min: 0, max: 9 }, samples: 5 });
  });

  it('has no values before the first data', () => {
    const points = aggregateHistory(
      [bucket('2026-06-01T10:30:00Z', { avg: 2, min: 2, max: 2, last: 2 })],
      from,
      to,
      historyIntervals['15m'],
    );
    expect(points.map((p) => p.free?.avg ?? null)).toEqual([null, null, 2, 2]);
    expect(points[0]).toMatchObject({ capacity: null, occupiedAvg: null, samples: 0 });
  });
});
