import type { CategoryCounts } from './availability.js';

export interface CounterAvailability {
  counts: CategoryCounts;
  /** The raw count was outside [0, capacity] and was clamped. */
  clamped: boolean;
}

/**
 * A counted facility: free = capacity − vehicles, with vehicles clamped to [0, capacity].
 * With no fresh count (`vehicles` null) the whole capacity is unknown, never free.
 */
export function computeCounterAvailability(capacity: number, vehicles: number | null): CounterAvailability {
  if (vehicles === null) {
    return { counts: { category: 'standard', capacity, free: 0, occupied: 0, unknown: capacity, closed: 0 }, clamped: false };
  }
  const occupied = Math.min(capacity, Math.max(0, vehicles));
  return {
    counts: { category: 'standard', capacity, free: capacity - occupied, occupied, unknown: 0, closed: 0 },
    clamped: occupied !== vehicles,
  };
}
