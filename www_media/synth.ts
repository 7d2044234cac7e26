/**
 * Small deterministic synthesis for the bundled sounds: plucked strings
 * (Karplus–Strong), additive tones with an envelope, mixing and peak
 * normalisation, all on Float32Array sample buffers.
 *
 * @module
 */

import { MediaEncodeError } from "./media_error.ts";

/** Frequency in Hz of MIDI note `note` (69 is A4 = 440 Hz). */
export function midiToHz(note: number): number {
  return 440 * 2 ** ((note - 69) / 12);
}

/**
 * A plucked string of `frequency` lasting `seconds`: a burst of seeded
 * noise circulating in a delay line one period long, averaged on every
 * pass so that high partials die first, as on a real string.
 */
export function pluck(
  frequency: number,
  seconds: number,
  sampleRate: number,
  random: () => number,
  damping = 0.996,
): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  // Averaging each sample with the one after it shortens the loop by half
  // a sample; a first-order allpass supplies the fraction a whole-sample
  // line cannot, so that notes stay in tune.
  const loop = sampleRate / frequency + 0.5;
  const period = Math.max(2, Math.floor(loop - 0.1));
  const fraction = loop - period;
  const allpass = (1 - fraction) / (1 + fraction);
  const line = new Float32Array(period);
  // Smoothed noise gives a rounder, less scratchy attack.
  let previous = 0;
  for (let i = 0; i < period; i++) {
    previous = 0.5 * previous + 0.5 * (random() * 2 - 1);
    line[i] = previous;
  }
  let allpassIn = 0;
  let allpassOut = 0;
  let at = 0;
  for (let n = 0; n < out.length; n++) {
    const next = (at + 1) % period;
    const value = line[at]!;
    out[n] = value;
    const averaged = damping * 0.5 * (value + line[next]!);
    allpassOut = allpass * averaged + allpassIn - allpass * allpassOut;
    allpassIn = averaged;
    line[at] = allpassOut;
    at = next;
  }
  return out;
}

/** Amplitudes of the partials of {@linkcode tone}: 1st, 2nd, 3rd, … */
export type Partials = readonly number[];

/**
 * A sustained tone of `frequency`: the `partials` as sines, a 15 ms
 * attack and an exponential decay with time constant `decay` seconds.
 */
export function tone(
  frequency: number,
  seconds: number,
  sampleRate: number,
  partials: Partials,
  decay: number,
): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  const attack = 0.015 * sampleRate;
  const release = 0.05 * sampleRate;
  for (let n = 0; n < out.length; n++) {
    const t = n / sampleRate;
    let v = 0;
    for (let h = 0; h < partials.length; h++) {
      v += partials[h]! * Math.sin(2 * Math.PI * frequency * (h + 1) * t);
    }
    // The short release at the end avoids a click when the buffer stops.
    const edge = Math.min(1, n / attack, (out.length - n) / release);
    out[n] = v * edge * Math.exp(-t / decay);
  }
  return out;
}

/** Adds `source × gain` into `target` from frame `offset` on (clipped). */
export function mixInto(
  target: Float32Array,
  source: Float32Array,
  offset: number,
  gain = 1,
): void {
  const end = Math.min(target.length, offset + source.length);
  for (let n = Math.max(0, offset); n < end; n++) {
    target[n] = target[n]! + source[n - offset]! * gain;
  }
}

/** Scales `samples` in place so that the loudest one is ±`peak`. */
export function normalize(samples: Float32Array, peak = 0.85): void {
  let loudest = 0;
  for (const s of samples) loudest = Math.max(loudest, Math.abs(s));
  if (loudest === 0) return;
  const gain = peak / loudest;
  for (let i = 0; i < samples.length; i++) samples[i] = samples[i]! * gain;
}

/** Interleaves equal-length channel buffers into one frame-ordered buffer. */
export function interleave(channels: readonly Float32Array[]): Float32Array {
  const frames = channels[0]?.length ?? 0;
  if (channels.some((channel) => channel.length !== frames)) {
    throw new MediaEncodeError(
      "AUDIO_CHANNEL_LENGTH",
      "Channels to interleave must all have the same length",
    );
  }
  const out = new Float32Array(frames * channels.length);
  for (let c = 0; c < channels.length; c++) {
    const channel = channels[c]!;
    for (let n = 0; n < frames; n++) out[n * channels.length + c] = channel[n]!;
  }
  return out;
}
