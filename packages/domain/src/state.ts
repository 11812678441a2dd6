/** The part of an event that orders it against others from the same sensor. */
export interface EventOrder {
  ts: Date;
  seq: number | null;
}

/** True when `candidate` should replace `current` as a sensor's state: newest `ts` wins, then higher `seq`. */
export function isNewer(candidate: EventOrder, current: EventOrder | null): boolean {
  if (!current) return true;
  const dt = candidate.ts.getTime() - current.ts.getTime();
  if (dt !== 0) return dt > 0;
  return (candidate.seq ?? -1) > (current.seq ?? -1);
}

/** Keeps, per key, only the newest item: what a batch contributes to state. */
export function pickNewest<T extends EventOrder>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T> {
  const newest = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    if (isNewer(item, newest.get(key) ?? null)) newest.set(key, item);
  }
  return newest;
}
