/**
 * A small PNG encoder (8-bit greyscale, RGB or RGBA, no interlace): the
 * signature, an IHDR, one IDAT holding the zlib stream from
 * `CompressionStream("deflate")`, and an IEND, each chunk framed with its
 * length and CRC-32 as the PNG specification lays out.
 *
 * @module
 */

import { updateCrc32 } from "../lib/common/crc32.ts";
import { MediaEncodeError } from "./media_error.ts";

/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE: Uint8Array = Uint8Array.of(
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
);

/** Pixel layouts this encoder writes, all with 8 bits per sample. */
export type PngColorType = "gray" | "rgb" | "rgba";

/** The IHDR colour-type byte for each layout. */
export const PNG_COLOR_TYPE_CODE: Readonly<Record<PngColorType, number>> = {
  gray: 0,
  rgb: 2,
  rgba: 6,
};

/** Samples per pixel for each layout. */
export const PNG_CHANNELS: Readonly<Record<PngColorType, number>> = {
  gray: 1,
  rgb: 3,
  rgba: 4,
};

/** An uncompressed picture: rows top to bottom, samples interleaved. */
export interface RasterImage {
  /** Width in pixels (1 to 2^31 − 1). */
  width: number;
  /** Height in pixels (1 to 2^31 − 1). */
  height: number;
  /** The pixel layout of `pixels`. */
  colorType: PngColorType;
  /** `width × height × channels` bytes. */
  pixels: Uint8Array;
}

const MAX_DIMENSION = 0x7fffffff;
const ascii = new TextEncoder();

function checkImage(image: RasterImage): number {
  const { width, height, colorType, pixels } = image;
  for (const [name, value] of [["Width", width], ["Height", height]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_DIMENSION) {
      throw new MediaEncodeError(
        "PNG_BAD_SIZE",
        `${name} must be a whole number from 1 to ${MAX_DIMENSION}, got ${value}`,
      );
    }
  }
  const channels = PNG_CHANNELS[colorType];
  const expected = width * height * channels;
  if (pixels.length !== expected) {
    throw new MediaEncodeError(
      "PNG_BAD_PIXELS",
      `Pixel buffer holds ${pixels.length} bytes, expected ${expected}`,
    );
  }
  return channels;
}

/** The Paeth predictor of the PNG specification. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Writes one row filtered with `type` into `out`; returns its cost. */
function filterRow(
  type: number,
  row: Uint8Array,
  prior: Uint8Array,
  bpp: number,
  out: Uint8Array,
): number {
  let cost = 0;
  for (let i = 0; i < row.length; i++) {
    const x = row[i]!;
    const a = i >= bpp ? row[i - bpp]! : 0;
    const b = prior[i]!;
    const c = i >= bpp ? prior[i - bpp]! : 0;
    let predicted: number;
    switch (type) {
      case 1:
        predicted = a;
        break;
      case 2:
        predicted = b;
        break;
      case 3:
        predicted = (a + b) >>> 1;
        break;
      case 4:
        predicted = paeth(a, b, c);
        break;
      default:
        predicted = 0;
    }
    const v = (x - predicted) & 0xff;
    out[i] = v;
    // Sum of the residuals read as signed bytes: libpng's heuristic for
    // picking the filter that leaves the most compressible row.
    cost += v < 128 ? v : 256 - v;
  }
  return cost;
}

/**
 * The bytes that go into the zlib stream: each scanline prefixed with its
 * filter type, the filter chosen per row as the one whose residuals have
 * the smallest absolute sum. Exposed so tests can compare a decompressed
 * IDAT against it.
 */
export function filterScanlines(image: RasterImage): Uint8Array {
  const channels = checkImage(image);
  const stride = image.width * channels;
  const out = new Uint8Array((stride + 1) * image.height);
  const zeros = new Uint8Array(stride);
  const trial = new Uint8Array(stride);
  const best = new Uint8Array(stride);
  for (let y = 0; y < image.height; y++) {
    const row = image.pixels.subarray(y * stride, (y + 1) * stride);
    const prior = y === 0
      ? zeros
      : image.pixels.subarray((y - 1) * stride, y * stride);
    let bestType = 0;
    let bestCost = Infinity;
    for (let type = 0; type <= 4; type++) {
      const cost = filterRow(type, row, prior, channels, trial);
      if (cost < bestCost) {
        bestCost = cost;
        bestType = type;
        best.set(trial);
      }
    }
    const at = y * (stride + 1);
    out[at] = bestType;
    out.set(best, at + 1);
  }
  return out;
}

/**
 * One PNG chunk: 4-byte big-endian length, 4-letter type, data, and the
 * CRC-32 of type and data.
 */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  if (!/^[A-Za-z]{4}$/.test(type)) {
    throw new MediaEncodeError(
      "PNG_BAD_CHUNK_TYPE",
      `Chunk type must be four ASCII letters, got "${type}"`,
    );
  }
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  const typeBytes = ascii.encode(type);
  chunk.set(typeBytes, 4);
  chunk.set(data, 8);
  const crc = updateCrc32(data, updateCrc32(typeBytes));
  view.setUint32(8 + data.length, crc);
  return chunk;
}

/** The 13 data bytes of an IHDR chunk for `image`. */
export function ihdrData(image: RasterImage): Uint8Array {
  checkImage(image);
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, image.width);
  view.setUint32(4, image.height);
  data[8] = 8; // bit depth
  data[9] = PNG_COLOR_TYPE_CODE[image.colorType];
  // Bytes 10–12 stay 0: deflate compression, adaptive filtering, no
  // interlace — the only methods the specification defines besides Adam7.
  return data;
}

/** Runs `bytes` through a web (de)compression stream, whole. */
async function transform(
  bytes: Uint8Array,
  stream: CompressionStream | DecompressionStream,
): Promise<Uint8Array> {
  const source = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
  const result = await new Response(source.pipeThrough(stream)).arrayBuffer();
  return new Uint8Array(result);
}

/** `bytes` as a zlib stream (RFC 1950), the format PNG's IDAT holds. */
export function zlibCompress(bytes: Uint8Array): Promise<Uint8Array> {
  return transform(bytes, new CompressionStream("deflate"));
}

/** The inverse of {@linkcode zlibCompress}. */
export function zlibDecompress(bytes: Uint8Array): Promise<Uint8Array> {
  return transform(bytes, new DecompressionStream("deflate"));
}

/** Encodes `image` as a complete PNG file. */
export async function encodePng(image: RasterImage): Promise<Uint8Array> {
  const header = pngChunk("IHDR", ihdrData(image));
  const idat = pngChunk("IDAT", await zlibCompress(filterScanlines(image)));
  const end = pngChunk("IEND", new Uint8Array(0));
  const file = new Uint8Array(
    PNG_SIGNATURE.length + header.length + idat.length + end.length,
  );
  let at = 0;
  for (const part of [PNG_SIGNATURE, header, idat, end]) {
    file.set(part, at);
    at += part.length;
  }
  return file;
}
