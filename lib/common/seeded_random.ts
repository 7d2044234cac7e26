/**
 * A small seeded pseudo-random generator (mulberry32), so a server that
 * simulates loss can be replayed exactly: the same seed gives the same
 * sequence of drop decisions, and a test can predict them. The www/ media
 * generator (www_media/) draws from it too, so its output bytes depend on
 * this exact sequence: changing the algorithm changes the committed media.
 *
 * @module
 */

/** A function returning the next number in `[0, 1)`. */
export type RandomSource = () => number;

/**
 * Creates a generator seeded with `seed` (an integer; only its low 32 bits
 * count). Not for anything that needs real unpredictability.
 */
export function createSeededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh 32-bit seed from the system's random source. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
}
