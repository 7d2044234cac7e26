/**
 * Turning image bytes into a thumbnail: check the header's pixel count
 * against a budget, decode (PNG, JPEG or WebP, with the Squoosh codecs
 * compiled to WebAssembly, so no native code and nothing to download at
 * run time), shrink by area averaging and encode as WebP, which keeps
 * transparency and is small.
 *
 * This is CPU-bound work of tens to hundreds of milliseconds; spidey runs
 * it in a worker ({@linkcode ThumbnailRenderer}), never on the thread that
 * serves requests.
 *
 * @module
 */

import decodeJpeg, { init as initJpegDecoder } from "@jsquash/jpeg/decode.js";
import decodePng, { init as initPngDecoder } from "@jsquash/png/decode.js";
import decodeWebp, { init as initWebpDecoder } from "@jsquash/webp/decode.js";
import encodeWebp, { init as initWebpEncoder } from "@jsquash/webp/encode.js";
import { downscaleRgba, fitWithin } from "./downscale.ts";
import { type ImageFormat, readImageSize } from "./image_size.ts";

/** Why a thumbnail could not be made. */
export type ThumbnailErrorCode =
  | "unsupported"
  | "too-large"
  | "corrupt"
  | "busy"
  | "timeout"
  | "failed";

/**
 * A thumbnail could not be made. `unsupported`, `too-large`, `corrupt` and
 * `timeout` are properties of the file version (worth remembering);
 * `busy` and `failed` are passing conditions of the server.
 */
export class ThumbnailError extends Error {
  /** A stable, machine-readable reason. */
  readonly code: ThumbnailErrorCode;

  /** Creates the error with a sentence-case `message`. */
  constructor(code: ThumbnailErrorCode, message: string) {
    super(message);
    this.name = "ThumbnailError";
    this.code = code;
  }

  /** True when retrying the same file later could succeed. */
  get transient(): boolean {
    return this.code === "busy" || this.code === "failed";
  }
}

/** What a thumbnail is made to. */
export interface ThumbnailSpec {
  /** Longest edge of the thumbnail in pixels. */
  maxEdge: number;
  /** Largest source image decoded, in pixels (width × height). */
  maxPixels: number;
  /** WebP quality, 0–100. */
  quality: number;
}

/** The defaults: 160 px, sources up to 40 megapixels, quality 75. */
export const DEFAULT_THUMBNAIL_SPEC: Readonly<ThumbnailSpec> = Object.freeze({
  maxEdge: 160,
  maxPixels: 40_000_000,
  quality: 75,
});

/** A finished thumbnail. */
export interface Thumbnail {
  /** The WebP bytes. */
  bytes: Uint8Array<ArrayBuffer>;
  /** Its width in pixels. */
  width: number;
  /** Its height in pixels. */
  height: number;
  /** The source's pixel count (how much memory decoding took). */
  sourcePixels: number;
}

/** The media type of every thumbnail. */
export const THUMBNAIL_MEDIA_TYPE = "image/webp";

// The codecs are Emscripten builds that print their warnings ("Premature
// end of JPEG file") to stderr; that is noise in a server log.
const QUIET = { print: () => {}, printErr: () => {} };
let prepared: Promise<void> | undefined;

/**
 * Compiles and instantiates every codec's WebAssembly, once per thread;
 * later calls return the same promise. It never rejects: a codec that
 * failed to load fails again, as an error, at its first use.
 *
 * The thumbnail worker awaits this before it takes a job, because
 * terminating a worker while V8 still compiles its WebAssembly brings the
 * whole process down (Deno 2.9.6, "validate_functions_job_handle_").
 */
export function prepareCodecs(): Promise<void> {
  prepared ??= Promise.allSettled([
    initJpegDecoder(QUIET),
    initPngDecoder(),
    initWebpDecoder(QUIET),
    initWebpEncoder(QUIET),
  ]).then(() => {});
  return prepared;
}

function decoderOf(
  format: ImageFormat,
): (b: ArrayBuffer) => Promise<ImageData> {
  switch (format) {
    case "png":
      return (b) => decodePng(b);
    case "jpeg":
      return (b) => decodeJpeg(b);
    case "webp":
      return (b) => decodeWebp(b);
  }
}

function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer;
  return whole ? bytes.buffer as ArrayBuffer : bytes.slice().buffer;
}

/**
 * Makes a thumbnail of `bytes`.
 *
 * @throws {ThumbnailError} `unsupported` for a format it cannot read,
 * `too-large` when the header declares more than `spec.maxPixels`,
 * `corrupt` when decoding fails or disagrees with the header.
 */
export async function renderThumbnail(
  bytes: Uint8Array,
  spec: ThumbnailSpec = DEFAULT_THUMBNAIL_SPEC,
): Promise<Thumbnail> {
  const header = readImageSize(bytes);
  if (header === null) {
    throw new ThumbnailError("unsupported", "Not a PNG, JPEG or WebP image");
  }
  const sourcePixels = header.width * header.height;
  if (sourcePixels > spec.maxPixels) {
    throw new ThumbnailError(
      "too-large",
      `Image of ${header.width}×${header.height} pixels exceeds the budget of ${spec.maxPixels}`,
    );
  }
  await prepareCodecs();
  let pixels: ImageData;
  try {
    pixels = await decoderOf(header.format)(ownBuffer(bytes));
  } catch {
    // The codecs throw odd things (Emscripten's ExitStatus, Rust panics);
    // for the caller they all mean the same.
    throw new ThumbnailError("corrupt", `Cannot decode this ${header.format}`);
  }
  const data = pixels.data;
  if (
    !(data instanceof Uint8ClampedArray) ||
    pixels.width !== header.width || pixels.height !== header.height
  ) {
    throw new ThumbnailError("corrupt", "Decoded image differs from header");
  }
  const size = fitWithin(pixels.width, pixels.height, spec.maxEdge);
  const small = size.width === pixels.width && size.height === pixels.height
    ? data
    : downscaleRgba(data, pixels, size);
  const encoded = await encodeWebp(
    new ImageData(small, size.width, size.height),
    { quality: spec.quality },
  );
  return {
    bytes: new Uint8Array(encoded),
    width: size.width,
    height: size.height,
    sourcePixels,
  };
}
