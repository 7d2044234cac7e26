/**
 * A seeded pseudo-random generator, so generated media come out the same
 * bytes on every run and every machine.
 *
 * @module
 */

/**
 * Returns a generator of numbers in [0, 1) from the 32-bit `seed`
 * (mulberry32: tiny, fast, and good enough for jitter and noise).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
