/**
 * A minimal software canvas for the generated pictures: an RGB float
 * buffer with anti-aliased line segments and discs, blended by coverage.
 *
 * @module
 */

import type { RasterImage } from "./png.ts";

/** A colour as red, green, blue in 0…255. */
export type Rgb = readonly [number, number, number];

/** Linear interpolation between `a` and `b` by `t` in 0…1. */
export function mix(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/** The colour `t` of the way along `stops` (evenly spaced), `t` in 0…1. */
export function colorRamp(stops: readonly Rgb[], t: number): Rgb {
  const last = stops.length - 1;
  const x = Math.min(Math.max(t, 0), 1) * last;
  const i = Math.min(Math.floor(x), last - 1);
  const f = x - i;
  const a = stops[i]!;
  const b = stops[i + 1] ?? a;
  return [mix(a[0], b[0], f), mix(a[1], b[1], f), mix(a[2], b[2], f)];
}

/** Clamps to 0…1. */
function unit(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** An RGB drawing surface; coordinates are pixel centres at `x + 0.5`. */
export class Canvas {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Red, green, blue per pixel, as floats in 0…255. */
  readonly rgb: Float32Array;

  /** Creates a canvas filled by `background(x, y)`. */
  constructor(
    width: number,
    height: number,
    background: (x: number, y: number) => Rgb,
  ) {
    this.width = width;
    this.height = height;
    this.rgb = new Float32Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const c = background(x, y);
        const at = (y * width + x) * 3;
        this.rgb[at] = c[0];
        this.rgb[at + 1] = c[1];
        this.rgb[at + 2] = c[2];
      }
    }
  }

  /** Blends `color` into one pixel with opacity `alpha`. */
  blend(x: number, y: number, color: Rgb, alpha: number): void {
    if (alpha <= 0 || x < 0 || y < 0 || x >= this.width || y >= this.height) {
      return;
    }
    const at = (y * this.width + x) * 3;
    for (let k = 0; k < 3; k++) {
      this.rgb[at + k] = mix(this.rgb[at + k]!, color[k]!, alpha);
    }
  }

  /** Draws a segment `width` pixels thick with round ends. */
  line(
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    width: number,
    color: Rgb,
    opacity = 1,
  ): void {
    const half = width / 2;
    const pad = half + 1;
    const dx = x1 - x0;
    const dy = y1 - y0;
    const lengthSq = dx * dx + dy * dy;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1) - pad));
    const maxX = Math.min(this.width - 1, Math.ceil(Math.max(x0, x1) + pad));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1) - pad));
    const maxY = Math.min(this.height - 1, Math.ceil(Math.max(y0, y1) + pad));
    for (let y = minY; y <= maxY; y++) {
      for (let x = minX; x <= maxX; x++) {
        const px = x + 0.5 - x0;
        const py = y + 0.5 - y0;
        const t = lengthSq === 0 ? 0 : unit((px * dx + py * dy) / lengthSq);
        const ex = px - t * dx;
        const ey = py - t * dy;
        // Distance to the segment turned into approximate pixel coverage.
        const coverage = unit(half + 0.5 - Math.sqrt(ex * ex + ey * ey));
        this.blend(x, y, color, coverage * opacity);
      }
    }
  }

  /** Fills a disc of radius `r` around (`cx`, `cy`). */
  disc(cx: number, cy: number, r: number, color: Rgb, opacity = 1): void {
    const minX = Math.max(0, Math.floor(cx - r - 1));
    const maxX = Math.min(this.width - 1, Math.ceil(cx + r + 1));
    const minY = Math.max(0, Math.floor(cy - r - 1));
    const maxY = Math.min(this.height - 1, Math.ceil(cy + r + 1));
    for (let y = minY; y <= maxY; y++) {
      for (let x = minX; x <= maxX; x++) {
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        this.blend(x, y, color, unit(r + 0.5 - d) * opacity);
      }
    }
  }

  /** The canvas as an 8-bit RGB image, rounded and clamped. */
  toImage(): RasterImage {
    const pixels = new Uint8Array(this.rgb.length);
    for (let i = 0; i < pixels.length; i++) {
      pixels[i] = Math.min(255, Math.max(0, Math.round(this.rgb[i]!)));
    }
    return {
      width: this.width,
      height: this.height,
      colorType: "rgb",
      pixels,
    };
  }
}
