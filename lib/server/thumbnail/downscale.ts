/**
 * Shrinking RGBA pixels by area averaging: every output pixel is the mean
 * of the source area it covers, partial pixels weighted by how much of
 * them it covers. For large reductions (a photo to a thumbnail) this is
 * what a box filter should be, with none of the aliasing and moiré of
 * bilinear or nearest-neighbour sampling, and it is one linear pass over
 * the source per axis.
 *
 * Colours are averaged premultiplied by alpha, so fully transparent pixels
 * (whose colour is arbitrary, often black) do not darken the edges of a
 * transparent image.
 *
 * @module
 */

/** Width and height in pixels. */
export interface Dimensions {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/**
 * The largest size with the aspect ratio of `width` × `height` that fits
 * in a `maxEdge` square, never enlarged and never below 1 × 1.
 */
export function fitWithin(
  width: number,
  height: number,
  maxEdge: number,
): Dimensions {
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/** The source pixels each output pixel of one axis averages, and weights. */
interface Taps {
  /** Index of the first tap of output i is `start[i]`, up to `start[i+1]`. */
  start: Int32Array;
  /** Source coordinate of each tap. */
  source: Int32Array;
  /** Weight of each tap; the weights of one output sum to 1. */
  weight: Float32Array;
}

function tapsFor(from: number, to: number): Taps {
  const ratio = from / to;
  const start = new Int32Array(to + 1);
  // Each output spans `ratio` source pixels, touching at most ceil+1.
  const capacity = to * (Math.ceil(ratio) + 1);
  const source = new Int32Array(capacity);
  const weight = new Float32Array(capacity);
  let n = 0;
  for (let i = 0; i < to; i++) {
    start[i] = n;
    const lo = i * ratio;
    const hi = Math.min(from, (i + 1) * ratio);
    for (let s = Math.floor(lo); s < hi; s++) {
      const cover = Math.min(hi, s + 1) - Math.max(lo, s);
      if (cover <= 0) continue;
      source[n] = s;
      weight[n] = cover / ratio;
      n++;
    }
  }
  start[to] = n;
  return { start, source, weight };
}

/**
 * Resizes RGBA pixels (`src`, row-major, 4 bytes a pixel) from
 * `from` to `to`, which must not be larger on either axis.
 *
 * @throws {RangeError} when `src` is too short or `to` enlarges.
 */
export function downscaleRgba(
  src: Uint8Array | Uint8ClampedArray,
  from: Dimensions,
  to: Dimensions,
): Uint8ClampedArray<ArrayBuffer> {
  const { width: sw, height: sh } = from;
  const { width: dw, height: dh } = to;
  if (src.length < sw * sh * 4) {
    throw new RangeError("Pixel buffer is shorter than its dimensions");
  }
  if (dw < 1 || dh < 1 || dw > sw || dh > sh) {
    throw new RangeError("Downscaling cannot enlarge an image");
  }
  const across = tapsFor(sw, dw);
  const down = tapsFor(sh, dh);
  // Pass 1: each source row to `dw` premultiplied pixels.
  const rows = new Float32Array(sh * dw * 4);
  for (let y = 0; y < sh; y++) {
    const rowBase = y * sw * 4;
    const outBase = y * dw * 4;
    for (let x = 0; x < dw; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let t = across.start[x]!; t < across.start[x + 1]!; t++) {
        const p = rowBase + across.source[t]! * 4;
        const wa = across.weight[t]! * src[p + 3]!;
        r += src[p]! * wa;
        g += src[p + 1]! * wa;
        b += src[p + 2]! * wa;
        a += wa;
      }
      const o = outBase + x * 4;
      rows[o] = r;
      rows[o + 1] = g;
      rows[o + 2] = b;
      rows[o + 3] = a;
    }
  }
  // Pass 2: columns to `dh`, then back from premultiplied.
  const out = new Uint8ClampedArray(dw * dh * 4);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let t = down.start[y]!; t < down.start[y + 1]!; t++) {
        const p = (down.source[t]! * dw + x) * 4;
        const w = down.weight[t]!;
        r += rows[p]! * w;
        g += rows[p + 1]! * w;
        b += rows[p + 2]! * w;
        a += rows[p + 3]! * w;
      }
      const o = (y * dw + x) * 4;
      if (a > 0) {
        out[o] = r / a;
        out[o + 1] = g / a;
        out[o + 2] = b / a;
      }
      out[o + 3] = a;
    }
  }
  return out;
}
