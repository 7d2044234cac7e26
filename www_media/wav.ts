/**
 * A WAV (RIFF WAVE) encoder for 16-bit linear PCM: the 44-byte canonical
 * header — `RIFF` size `WAVE`, a 16-byte `fmt ` chunk, a `data` chunk —
 * followed by little-endian samples, channels interleaved.
 *
 * @module
 */

import { MediaEncodeError } from "./media_error.ts";

/** Size of the header {@linkcode encodeWav} writes before the samples. */
export const WAV_HEADER_BYTES = 44;

/** The `fmt ` chunk's format tag for linear PCM. */
export const WAV_FORMAT_PCM = 1;

/** Sound as floating-point samples. */
export interface PcmAudio {
  /** Frames per second (e.g. 22050). */
  sampleRate: number;
  /** Channels per frame (1 mono, 2 stereo). */
  channels: number;
  /**
   * Interleaved samples in −1…1 (values outside are clipped); the length
   * must be a multiple of `channels`.
   */
  samples: Float32Array;
}

function checkAudio(audio: PcmAudio): void {
  const { sampleRate, channels, samples } = audio;
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 384_000) {
    throw new MediaEncodeError(
      "WAV_BAD_FORMAT",
      `Sample rate must be a whole number from 1 to 384000, got ${sampleRate}`,
    );
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > 8) {
    throw new MediaEncodeError(
      "WAV_BAD_FORMAT",
      `Channel count must be from 1 to 8, got ${channels}`,
    );
  }
  if (samples.length % channels !== 0) {
    throw new MediaEncodeError(
      "WAV_BAD_SAMPLES",
      `Sample count ${samples.length} is not a multiple of ${channels} channels`,
    );
  }
  // The RIFF size field is 32 bits and counts everything after itself.
  if (samples.length * 2 + WAV_HEADER_BYTES - 8 > 0xffffffff) {
    throw new MediaEncodeError("WAV_TOO_LONG", "Audio is too long for a WAV");
  }
}

/** One sample in −1…1 as a signed 16-bit integer, clipped and rounded. */
export function toPcm16(sample: number): number {
  const clipped = sample > 1 ? 1 : sample < -1 ? -1 : sample;
  // NaN would otherwise become 0 silently through the DataView; say so.
  if (Number.isNaN(clipped)) {
    throw new MediaEncodeError("WAV_BAD_SAMPLES", "Sample is not a number");
  }
  return Math.round(clipped * 32767);
}

/** Encodes `audio` as a complete 16-bit PCM WAV file. */
export function encodeWav(audio: PcmAudio): Uint8Array {
  checkAudio(audio);
  const { sampleRate, channels, samples } = audio;
  const dataBytes = samples.length * 2;
  const file = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
  const view = new DataView(file.buffer);
  const tag = (at: number, text: string) => {
    for (let i = 0; i < 4; i++) file[at + i] = text.charCodeAt(i);
  };
  tag(0, "RIFF");
  view.setUint32(4, WAV_HEADER_BYTES - 8 + dataBytes, true);
  tag(8, "WAVE");
  tag(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, WAV_FORMAT_PCM, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * 2, true); // byte rate
  view.setUint16(32, channels * 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  tag(36, "data");
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    view.setInt16(WAV_HEADER_BYTES + i * 2, toPcm16(samples[i]!), true);
  }
  return file;
}
