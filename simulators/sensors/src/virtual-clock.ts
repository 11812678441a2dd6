/** Maps real time to simulated time: sim = simStart + (real − realStart) × speed. */
export interface VirtualClock {
  readonly speed: number;
  readonly realStartMs: number;
  readonly simStartMs: number;
  /** Simulated epoch ms at the given real epoch ms. */
  simAt(realMs: number): number;
}

/** Creates a virtual clock; `speed` 60 plays an hour per real minute. */
export function createVirtualClock(options: { realStartMs: number; simStartMs: number; speed: number }): VirtualClock {
  const { realStartMs, simStartMs, speed } = options;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
  return { speed, realStartMs, simStartMs, simAt: (realMs) => simStartMs + (realMs - realStartMs) * speed };
}
