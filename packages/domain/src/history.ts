/** One 15-minute bucket as stored (see the history migration). */
export interface HistoryBucket {
  bucket: Date;
  samples: number;
  capacity: number;
  freeAvg: number;
  freeMin: number;
  freeMax: number;
  freeLast: number;
  occupiedAvg: number;
  unknownAvg: number;
}

export const historyIntervals = { '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type HistoryInterval = keyof typeof historyIntervals;

export interface HistoryPoint {
  start: Date;
  capacity: number | null;
  free: { avg: number; min: number; max: number } | null;
  occupiedAvg: number | null;
  unknownAvg: number | null;
  /** State changes recorded in the interval (0: the state carried over unchanged). */
  samples: number;
}

const SLOT_MS = 900_000;
const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Rolls 15-minute buckets up into intervals over [from, to). A 15-minute slot without a bucket
 * carries the final state of the last earlier bucket (the state did not change); `buckets` are
 * ordered by time and may start with one bucket before `from` for that. Every slot weighs the same.
 */
export function aggregateHistory(buckets: readonly HistoryBucket[], from: Date, to: Date, intervalMs: number): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  let b = 0;
  let carried: HistoryBucket | null = null;
  for (let start = from.getTime(); start < to.getTime(); start += intervalMs) {
    const end = Math.min(start + intervalMs, to.getTime());
    let n = 0;
    let freeSum = 0;
    let occSum = 0;
    let unkSum = 0;
    let min = Infinity;
    let max = -Infinity;
    let samples = 0;
    let capacity: number | null = null;
    for (let slot = start; slot < end; slot += SLOT_MS) {
      while (b < buckets.length && (buckets[b] as HistoryBucket).bucket.getTime() < slot) carried = buckets[b++] as HistoryBucket;
      const here = b < buckets.length && (buckets[b] as HistoryBucket).bucket.getTime() === slot ? (buckets[b] as HistoryBucket) : null;
      if (here) {
        n += 1;
        freeSum += here.freeAvg;
        occSum += here.occupiedAvg;
        unkSum += here.unknownAvg;
        min = Math.min(min, here.freeMin);
        max = Math.max(max, here.freeMax);
        samples += here.samples;
        capacity = here.capacity;
      } else if (carried) {
        n += 1;
        freeSum += carried.freeLast;
        occSum += Math.max(0, carried.capacity - carried.freeLast - carried.unknownAvg);
        unkSum += carried.unknownAvg;
        min = Math.min(min, carried.freeLast);
        max = Math.max(max, carried.freeLast);
        capacity = carried.capacity;
      }
    }
    points.push({
      start: new Date(start),
      capacity,
      free: n === 0 ? null : { avg: round1(freeSum / n), min, max },
      occupiedAvg: n === 0 ? null : round1(occSum / n),
      unknownAvg: n === 0 ? null : round1(unkSum / n),
      samples,
    });
  }
  return points;
}
