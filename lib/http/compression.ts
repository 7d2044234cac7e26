/**
 * Applying the compressed content codings of `./content_coding.ts`: a
 * whole body at once (for bodies prepared once and sent many times, at a
 * high ratio, since the cost is paid once), or a stream (for large
 * bodies, at a speed that keeps up with the network).
 *
 * @module
 */

import { brotliCompress, constants } from "node:zlib";
import type { CompressedCoding } from "./content_coding.ts";

/**
 * Brotli qualities (0–11) for bodies compressed once: the best for small
 * ones (about 25 ms for 64 KiB), a fast one past that, since a big
 * listing at the best quality would hold its request for seconds.
 */
const BEST_BROTLI_QUALITY = 11;
const FAST_BROTLI_QUALITY = 5;
const BEST_QUALITY_MAX_BYTES = 64 * 1024;

/** The bytes of `body` compressed whole, at the best ratio it affords. */
export function compressBody(
  body: Uint8Array,
  coding: CompressedCoding,
): Promise<Uint8Array> {
  if (coding === "gzip") {
    return new Response(
      new Blob([body as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new CompressionStream("gzip"),
      ),
    ).bytes();
  }
  return new Promise((resolve, reject) => {
    brotliCompress(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: body.length <= BEST_QUALITY_MAX_BYTES
          ? BEST_BROTLI_QUALITY
          : FAST_BROTLI_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }, (err, out) => {
      if (err !== null) reject(err);
      else {
        resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
      }
    });
  });
}

/**
 * A stream that compresses what is written to it with `coding`, at the
 * runtime's default level (brotli 6-ish, gzip 6): fast enough for bodies
 * too large to cache.
 */
export function compressionStream(
  coding: CompressedCoding,
): TransformStream<Uint8Array, Uint8Array> {
  // Deno's CompressionStream takes "brotli" beside the standard formats;
  // the DOM typings do not list it.
  const format = (coding === "br" ? "brotli" : "gzip") as CompressionFormat;
  return new CompressionStream(format) as unknown as TransformStream<
    Uint8Array,
    Uint8Array
  >;
}
