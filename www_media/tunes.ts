/**
 * The sounds of the bundled site, composed for it: a plucked tune over a
 * bass line, and a strummed chord spread across two channels.
 *
 * @module
 */

import { createSeededRandom } from "../lib/common/seeded_random.ts";
import {
  interleave,
  midiToHz,
  mixInto,
  normalize,
  pluck,
  tone,
} from "./synth.ts";
import type { PcmAudio } from "./wav.ts";

/** Sample rate of the bundled sounds: plenty for plucks, half CD size. */
export const TUNE_SAMPLE_RATE = 22050;

/** [MIDI note, length in eighths] */
type Note = readonly [number, number];

// Am – F – C – E – Am, one bar of four eighths each.
const MELODY: readonly Note[] = [
  [57, 1],
  [60, 1],
  [64, 1],
  [69, 1],
  [65, 1],
  [69, 1],
  [72, 1],
  [69, 1],
  [67, 1],
  [64, 1],
  [60, 1],
  [64, 1],
  [68, 1],
  [71, 1],
  [64, 2],
  [69, 4],
];
const BASS: readonly Note[] = [[45, 4], [41, 4], [48, 4], [40, 4], [45, 4]];

function sequence(
  target: Float32Array,
  notes: readonly Note[],
  eighth: number,
  random: () => number,
  gain: number,
): void {
  let at = 0;
  for (const [note, length] of notes) {
    // Each string rings past its note into the next, as a guitar's would.
    const ring = pluck(
      midiToHz(note),
      length * eighth + 0.6,
      TUNE_SAMPLE_RATE,
      random,
    );
    mixInto(target, ring, Math.round(at * TUNE_SAMPLE_RATE), gain);
    at += length * eighth;
  }
}

/** "spidey's climb": about 4.8 s of mono plucked melody and bass. */
export function spideysClimb(): PcmAudio {
  const eighth = 0.2;
  const eighths = MELODY.reduce((sum, [, length]) => sum + length, 0);
  const samples = new Float32Array(
    Math.round((eighths * eighth + 0.8) * TUNE_SAMPLE_RATE),
  );
  const random = createSeededRandom(0x5b1d3);
  sequence(samples, MELODY, eighth, random, 1);
  sequence(samples, BASS, eighth, random, 0.7);
  fadeOut(samples, 0.3 * TUNE_SAMPLE_RATE);
  normalize(samples);
  return { sampleRate: TUNE_SAMPLE_RATE, channels: 1, samples };
}

function fadeOut(samples: Float32Array, frames: number): void {
  const from = samples.length - frames;
  for (let n = Math.max(0, from); n < samples.length; n++) {
    samples[n] = samples[n]! * ((samples.length - n) / frames);
  }
}

/**
 * A strummed C major add-9 chord, 2.5 s of stereo: six notes 45 ms
 * apart, panned from the low string on the left to the high on the right.
 */
export function webChord(): PcmAudio {
  const seconds = 2.5;
  const frames = Math.round(seconds * TUNE_SAMPLE_RATE);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  const notes = [48, 55, 60, 64, 67, 74];
  notes.forEach((note, i) => {
    const start = i * 0.045;
    const sound = tone(
      midiToHz(note),
      seconds - start,
      TUNE_SAMPLE_RATE,
      [1, 0.45, 0.22, 0.1, 0.05],
      0.9,
    );
    // Constant-power pan keeps the chord equally loud across the stereo field.
    const pan = (i / (notes.length - 1)) * (Math.PI / 2);
    const offset = Math.round(start * TUNE_SAMPLE_RATE);
    mixInto(left, sound, offset, Math.cos(pan));
    mixInto(right, sound, offset, Math.sin(pan));
  });
  const samples = interleave([left, right]);
  normalize(samples);
  return { sampleRate: TUNE_SAMPLE_RATE, channels: 2, samples };
}
