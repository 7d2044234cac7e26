/**
 * The media tools' seeded generator under its old name. The tools use
 * lib/sockets/seeded_random.ts directly (the same mulberry32, so the
 * committed www/ media keep their bytes); this name stays only while
 * tests/www_media_test.ts imports it.
 *
 * @module
 */

export {
  /** Numbers in [0, 1) from a 32-bit seed; the same seed, the same run. */
  createSeededRandom as seededRandom,
} from "../lib/sockets/seeded_random.ts";
