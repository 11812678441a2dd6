/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** Seeded mulberry32 generator: same seed, same sequence. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Uniform number in [min, max). */
export function pickBetween(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng();
}
