/**
 * Images made on the fly for the thumbnail tests: real PNG, JPEG and WebP
 * files of any size (encoded with the same codec packages spidey uses,
 * but built from pixels the tests choose), and headers that lie.
 *
 * @module
 */

import encodeJpeg from "@jsquash/jpeg/encode.js";
import encodePng from "@jsquash/png/encode.js";
import encodeWebp from "@jsquash/webp/encode.js";

/** RGBA pixels: a diagonal gradient, opaque unless `alpha` is given. */
export function gradientPixels(
  width: number,
  height: number,
  alpha = 255,
): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 255) / Math.max(1, width - 1);
      data[i + 1] = (y * 255) / Math.max(1, height - 1);
      data[i + 2] = 128;
      data[i + 3] = alpha;
    }
  }
  return new ImageData(data, width, height);
}

/** A PNG file of `width` × `height`. */
export async function makePng(
  width: number,
  height: number,
  alpha = 255,
): Promise<Uint8Array> {
  return new Uint8Array(await encodePng(gradientPixels(width, height, alpha)));
}

/** A JPEG file of `width` × `height`. */
export async function makeJpeg(
  width: number,
  height: number,
): Promise<Uint8Array> {
  return new Uint8Array(
    await encodeJpeg(gradientPixels(width, height), { quality: 80 }),
  );
}

/** A WebP file of `width` × `height`. */
export async function makeWebp(
  width: number,
  height: number,
): Promise<Uint8Array> {
  return new Uint8Array(
    await encodeWebp(gradientPixels(width, height), { quality: 80 }),
  );
}

/**
 * The first 33 bytes of a PNG whose header declares `width` × `height`
 * and nothing after it: a "decompression bomb" in miniature.
 */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const v = new DataView(b.buffer);
  v.setUint32(8, 13);
  b.set([0x49, 0x48, 0x44, 0x52], 12); // IHDR
  v.setUint32(16, width);
  v.setUint32(20, height);
  b.set([8, 6, 0, 0, 0], 24); // 8-bit RGBA, no interlace
  return b;
}

/** Width and height from a WebP's VP8/VP8L/VP8X header, read independently. */
export function webpDimensions(
  b: Uint8Array,
): { width: number; height: number } {
  const tag = String.fromCharCode(...b.subarray(12, 16));
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (tag === "VP8 ") {
    return {
      width: v.getUint16(26, true) & 0x3fff,
      height: v.getUint16(28, true) & 0x3fff,
    };
  }
  if (tag === "VP8L") {
    const bits = v.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (tag === "VP8X") {
    const w = b[24]! | (b[25]! << 8) | (b[26]! << 16);
    const h = b[27]! | (b[28]! << 8) | (b[29]! << 16);
    return { width: w + 1, height: h + 1 };
  }
  throw new Error(`Not a WebP image (chunk ${JSON.stringify(tag)})`);
}
