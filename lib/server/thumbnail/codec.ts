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
// The codecs' WebAssembly, as bytes that are part of the program (and of
// a compiled binary): compiled here, never fetched by the codecs' loaders.
import jpegDecoderWasm from "@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm" with {
  type: "bytes",
};
import pngDecoderWasm from "@jsquash/png/codec/pkg/squoosh_png_bg.wasm" with {
  type: "bytes",
};
import webpDecoderWasm from "@jsquash/webp/codec/dec/webp_dec.wasm" with {
  type: "bytes",
};
import webpEncoderWasm from "@jsquash/webp/codec/enc/webp_enc.wasm" with {
  type: "bytes",
};
import webpEncoderSimdWasm from "@jsquash/webp/codec/enc/webp_enc_simd.wasm" with {
  type: "bytes",
};
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
 * Options for an Emscripten codec: instantiate `module`, compiled here,
 * and print nothing.
 */
function emscriptenOptions(module: WebAssembly.Module) {
  return {
    ...QUIET,
    instantiateWasm(
      imports: WebAssembly.Imports,
      // Typed as taking a module by the codecs; Emscripten passes the
      // instance.
      done: (instance: WebAssembly.Module) => void,
    ): WebAssembly.Exports {
      const instance = new WebAssembly.Instance(module, imports);
      done(instance as unknown as WebAssembly.Module);
      return instance.exports;
    },
  };
}

/**
 * The WebP encoder's module: the SIMD build where the CPU runs it (the
 * codec's loader then picks the SIMD glue too), else the plain one.
 */
async function compileWebpEncoder(): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(webpEncoderSimdWasm);
  } catch {
    return await WebAssembly.compile(webpEncoderWasm);
  }
}

/**
 * Compiles and instantiates every codec's WebAssembly, once per thread;
 * later calls return the same promise. It never rejects: a codec that
 * failed to load fails again, as an error, at its first use.
 *
 * Each module is compiled from its bytes and handed to its codec. Left to
 * themselves the codecs fetch theirs with streaming compilation, and a
 * worker that ends while V8 still has a streaming compilation's
 * background validation running (terminated, or torn down with the
 * process) brings the whole process down (Deno 2.9.6, "Check failed:
 * validate_functions_job_handle_"); compiling from bytes has no such job.
 */
export function prepareCodecs(): Promise<void> {
  prepared ??= Promise.allSettled([
    WebAssembly.compile(jpegDecoderWasm).then((m) =>
      initJpegDecoder(emscriptenOptions(m))
    ),
    WebAssembly.compile(pngDecoderWasm).then((m) => initPngDecoder(m)),
    WebAssembly.compile(webpDecoderWasm).then((m) =>
      initWebpDecoder(emscriptenOptions(m))
    ),
    compileWebpEncoder().then((m) => initWebpEncoder(emscriptenOptions(m))),
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
