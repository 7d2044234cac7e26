/**
 * The raster pictures of the bundled site, each computed from a formula or
 * a seeded generator so that every run yields the same pixels.
 *
 * @module
 */

import type { RasterImage } from "./png.ts";
import { createSeededRandom } from "../lib/common/seeded_random.ts";
import { Canvas, colorRamp, mix, type Rgb } from "./raster.ts";

const DUSK: readonly Rgb[] = [
  [28, 16, 58],
  [91, 63, 160],
  [214, 84, 140],
  [250, 160, 90],
  [255, 226, 140],
];

/** A dusk sky: purple at the top to gold at the bottom, 256 × 256 RGB. */
export function duskGradient(size = 256): RasterImage {
  const canvas = new Canvas(size, size, (x, y) => {
    const t = y / (size - 1);
    // A gentle horizontal sway keeps the bands from being flat.
    const sway = 0.06 * Math.sin((x / size) * Math.PI * 2 + t * 3);
    return colorRamp(DUSK, t + sway * (1 - t));
  });
  return canvas.toImage();
}

/** A classic two-tone checkerboard, greyscale, `cell` pixels per square. */
export function checkerboard(size = 128, cell = 16): RasterImage {
  const pixels = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dark = ((Math.floor(x / cell) + Math.floor(y / cell)) & 1) === 1;
      pixels[y * size + x] = dark ? 0x33 : 0xdd;
    }
  }
  return { width: size, height: size, colorType: "gray", pixels };
}

/** Hue in 0…1 (0 is red) and saturation 0…1, at full value, to RGB. */
function hueToRgb(hue: number, saturation: number): Rgb {
  const h = (hue % 1 + 1) % 1 * 6;
  const f = (k: number) => {
    const x = (k + h) % 6;
    // How much of this channel the hue takes away, faded toward white.
    const cut = Math.max(0, Math.min(x, 4 - x, 1));
    return Math.round(255 * (1 - saturation * cut));
  };
  return [f(5), f(3), f(1)];
}

/**
 * A colour wheel on a transparent background (RGBA): hue by angle,
 * saturation by radius, with an anti-aliased rim.
 */
export function colorWheel(size = 256): RasterImage {
  const pixels = new Uint8Array(size * size * 4);
  const c = size / 2;
  const radius = c - 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - c;
      const dy = y + 0.5 - c;
      const r = Math.hypot(dx, dy);
      const [red, green, blue] = hueToRgb(
        Math.atan2(-dy, dx) / (2 * Math.PI),
        Math.min(r / radius, 1),
      );
      const at = (y * size + x) * 4;
      pixels[at] = red;
      pixels[at + 1] = green;
      pixels[at + 2] = blue;
      pixels[at + 3] = Math.round(255 * Math.min(Math.max(radius - r, 0), 1));
    }
  }
  return { width: size, height: size, colorType: "rgba", pixels };
}

const DEEP: readonly Rgb[] = [
  [8, 6, 30],
  [58, 35, 120],
  [122, 92, 199],
  [244, 154, 193],
  [255, 240, 210],
  [90, 200, 220],
  [8, 6, 30],
];

/**
 * The Mandelbrot set with smooth (fractional escape count) colouring,
 * 512 × 384 RGB.
 */
export function mandelbrot(width = 512, height = 384): RasterImage {
  const maxIterations = 200;
  const scale = 3.0 / width;
  const canvas = new Canvas(width, height, (x, y) => {
    const cr = -2.2 + (x + 0.5) * scale;
    const ci = -((height / 2) - (y + 0.5)) * scale;
    let zr = 0;
    let zi = 0;
    let n = 0;
    while (n < maxIterations && zr * zr + zi * zi <= 256) {
      const t = zr * zr - zi * zi + cr;
      zi = 2 * zr * zi + ci;
      zr = t;
      n++;
    }
    if (n === maxIterations) return [4, 3, 16];
    const smooth = n + 1 - Math.log2(Math.log2(zr * zr + zi * zi) / 2);
    return colorRamp(DEEP, (Math.sqrt(smooth) / 6) % 1);
  });
  return canvas.toImage();
}

const SILK: Rgb = [228, 232, 245];
const DEW: Rgb = [190, 230, 255];
const SPIDER_BODY: Rgb = [91, 63, 160];
const SPIDER_HEAD: Rgb = [122, 92, 199];
const SPIDER_LEGS: Rgb = [59, 47, 92];

/**
 * An orb web at night, 384 × 384 RGB: jittered radial spokes, a spiral of
 * capture thread from spoke to spoke, dew on some crossings, and spidey
 * waiting off-centre.
 */
export function spiderWeb(size = 384): RasterImage {
  const random = createSeededRandom(0x5eed_3b);
  const cx = size * 0.48;
  const cy = size * 0.46;
  const canvas = new Canvas(size, size, (x, y) => {
    const d = Math.hypot(x - cx, y - cy) / size;
    return colorRamp([[30, 34, 72], [14, 16, 40], [6, 6, 18]], d * 1.4);
  });
  const spokes = 16;
  const angles: number[] = [];
  const reach: number[] = [];
  for (let k = 0; k < spokes; k++) {
    angles.push((k / spokes) * Math.PI * 2 + (random() - 0.5) * 0.18);
    reach.push(size * (0.47 + random() * 0.12));
  }
  for (let k = 0; k < spokes; k++) {
    const a = angles[k]!;
    canvas.line(
      cx,
      cy,
      cx + Math.cos(a) * reach[k]!,
      cy + Math.sin(a) * reach[k]!,
      1.3,
      SILK,
      0.85,
    );
  }
  // The capture spiral: radius grows a little with every spoke it crosses.
  const turns = 13;
  const start = size * 0.06;
  const step = (size * 0.4 - start) / (turns * spokes);
  const point = (i: number): [number, number] => {
    const k = i % spokes;
    const r = start + i * step;
    const a = angles[k]!;
    return [cx + Math.cos(a) * r, cy + Math.sin(a) * r];
  };
  for (let i = 0; i < turns * spokes; i++) {
    const [x0, y0] = point(i);
    const [x1, y1] = point(i + 1);
    // Capture thread sags between spokes; draw it as two slight bends.
    const sag = 0.06;
    const mx = mix(x0, x1, 0.5) + (cx - mix(x0, x1, 0.5)) * sag;
    const my = mix(y0, y1, 0.5) + (cy - mix(y0, y1, 0.5)) * sag;
    canvas.line(x0, y0, mx, my, 1, SILK, 0.7);
    canvas.line(mx, my, x1, y1, 1, SILK, 0.7);
    if (random() < 0.12) canvas.disc(x0, y0, 1.6 + random() * 1.4, DEW, 0.9);
  }
  drawSpider(canvas, cx + size * 0.16, cy + size * 0.2, size / 384);
  return canvas.toImage();
}

/** spidey, small, with its thread up to the web. */
function drawSpider(canvas: Canvas, x: number, y: number, s: number): void {
  canvas.line(x, y - 60 * s, x, y - 14 * s, 1.2, SILK, 0.9);
  for (const side of [-1, 1]) {
    for (let i = 0; i < 4; i++) {
      const hipY = y + (i - 1.5) * 5 * s;
      const kneeX = x + side * (16 + (i % 2) * 3) * s;
      const kneeY = hipY - (10 - i * 4) * s;
      const footX = x + side * (26 - i) * s;
      const footY = hipY + (6 + i * 3) * s;
      canvas.line(x + side * 5 * s, hipY, kneeX, kneeY, 2.4 * s, SPIDER_LEGS);
      canvas.line(kneeX, kneeY, footX, footY, 2 * s, SPIDER_LEGS);
    }
  }
  canvas.disc(x, y + 8 * s, 11 * s, SPIDER_BODY);
  canvas.disc(x, y - 6 * s, 8 * s, SPIDER_HEAD);
  canvas.disc(x - 3 * s, y - 7 * s, 2.4 * s, [255, 255, 255]);
  canvas.disc(x + 3 * s, y - 7 * s, 2.4 * s, [255, 255, 255]);
  canvas.disc(x - 2.6 * s, y - 6.4 * s, 1.1 * s, [34, 34, 34]);
  canvas.disc(x + 3.4 * s, y - 6.4 * s, 1.1 * s, [34, 34, 34]);
}

/**
 * The site icon: spidey on a round purple badge with a transparent
 * outside (RGBA), drawn at `size` pixels (16, 32, 48 …).
 */
export function spideyIcon(size = 32): RasterImage {
  const s = size / 32;
  const c = size / 2;
  const canvas = new Canvas(size, size, () => [46, 30, 92]);
  for (let k = 0; k < 8; k++) {
    const a = (k / 8) * Math.PI * 2 + Math.PI / 8;
    canvas.line(c, c, c + Math.cos(a) * c, c + Math.sin(a) * c, s, SILK, 0.35);
  }
  for (const side of [-1, 1]) {
    for (let i = 0; i < 4; i++) {
      const hipY = c + (i - 1) * 3 * s;
      canvas.line(
        c + side * 3 * s,
        hipY,
        c + side * 12 * s,
        hipY + (i - 1.5) * 4 * s,
        1.6 * s,
        [220, 206, 255],
      );
    }
  }
  canvas.disc(c, c + 3 * s, 6 * s, [167, 139, 250]);
  canvas.disc(c, c - 4 * s, 4.5 * s, [200, 180, 255]);
  canvas.disc(c - 1.8 * s, c - 4.5 * s, 1.3 * s, [34, 34, 34]);
  canvas.disc(c + 1.8 * s, c - 4.5 * s, 1.3 * s, [34, 34, 34]);
  const rgb = canvas.toImage().pixels;
  const pixels = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 3;
      const to = (y * size + x) * 4;
      pixels.set(rgb.subarray(from, from + 3), to);
      const d = Math.hypot(x + 0.5 - c, y + 0.5 - c);
      pixels[to + 3] = Math.round(255 * Math.min(Math.max(c - d, 0), 1));
    }
  }
  return { width: size, height: size, colorType: "rgba", pixels };
}
