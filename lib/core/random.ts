/**
 * The project's one seeded random generator: augmentation, shuffling, test
 * images and fixtures all draw from it, so a seed means the same numbers
 * everywhere (browser, server, training, tests).
 */

/** A deterministic PRNG returning floats in [0,1). */
export type Rng = () => number;

/** mulberry32: tiny, fast, and good enough for augmentation, shuffling and test data. */
export function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
