/**
 * Writes the pictures and sounds of the bundled site (`www/images/`,
 * `www/audio/`, `www/favicon.ico`), every byte computed here: PNGs from this folder's own
 * encoder, SVGs as text, WAVs by synthesis. Running it twice writes the
 * same bytes.
 *
 * Usage: `deno run -A www_media/generate.ts [--out DIR]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { encodeIco } from "./ico.ts";
import { encodePng, type RasterImage } from "./png.ts";
import {
  checkerboard,
  colorWheel,
  duskGradient,
  mandelbrot,
  spiderWeb,
  spideyIcon,
} from "./pictures.ts";
import { spideysClimb, webChord } from "./tunes.ts";
import { formatSvg, spideySvg, webSvg } from "./vector_art.ts";
import { encodeWav, type PcmAudio } from "./wav.ts";

/** One generated file: where it goes under the site root, and how. */
export interface MediaRecipe {
  /** Path relative to the site root, with `/` separators. */
  path: string;
  /** Computes the picture, drawing or sound, or encodes a whole file. */
  make: () => RasterImage | PcmAudio | string | Promise<Uint8Array>;
}

/** The site icon at 16, 32 and 48 pixels, for browsers' tab strips. */
async function favicon(): Promise<Uint8Array> {
  const images = [];
  for (const size of [16, 32, 48]) {
    images.push({
      width: size,
      height: size,
      png: await encodePng(spideyIcon(size)),
    });
  }
  return encodeIco(images);
}

/** Every generated file of the bundled site, in the order written. */
export const WWW_MEDIA: readonly MediaRecipe[] = [
  { path: "favicon.ico", make: favicon },
  { path: "images/dusk-gradient.png", make: () => duskGradient() },
  { path: "images/checkerboard.png", make: () => checkerboard() },
  { path: "images/color-wheel.png", make: () => colorWheel() },
  { path: "images/spider-web.png", make: () => spiderWeb() },
  { path: "images/mandelbrot.png", make: () => mandelbrot() },
  { path: "images/spidey.svg", make: () => spideySvg() },
  { path: "images/web.svg", make: () => webSvg() },
  { path: "audio/spideys-climb.wav", make: () => spideysClimb() },
  { path: "audio/web-chord.wav", make: () => webChord() },
];

/**
 * Encodes what a recipe makes into the bytes of its file; text is SVG,
 * laid out by `deno fmt`.
 */
export async function encodeMedia(
  made: RasterImage | PcmAudio | string | Promise<Uint8Array>,
): Promise<Uint8Array> {
  if (made instanceof Promise) return await made;
  if (typeof made === "string") {
    return new TextEncoder().encode(await formatSvg(made));
  }
  if ("pixels" in made) return await encodePng(made);
  return encodeWav(made);
}

/** Renders every file of {@linkcode WWW_MEDIA}: path → bytes. */
export async function renderWwwMedia(): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const recipe of WWW_MEDIA) {
    files.set(recipe.path, await encodeMedia(recipe.make()));
  }
  return files;
}

/** The bundled site's folder, beside this one. */
export const DEFAULT_SITE_DIR: string = decodeURIComponent(
  new URL("../www", import.meta.url).pathname,
);

const HELP = `generate_www_media: write the bundled site's images and sounds

Usage: deno run -A www_media/generate.ts [--out DIR]

  --out DIR   site root to write into (default: the repository's www/)
  -h, --help  show this help
`;

async function main(args: string[]): Promise<number> {
  let out = DEFAULT_SITE_DIR;
  try {
    const { values } = parseArgs({
      args,
      options: {
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    out = values.out ?? out;
  } catch (err) {
    console.error(`generate_www_media: ${(err as Error).message}`);
    return 2;
  }
  try {
    let total = 0;
    for (const [path, bytes] of await renderWwwMedia()) {
      const target = `${out}/${path}`;
      await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), {
        recursive: true,
      });
      await Deno.writeFile(target, bytes);
      total += bytes.length;
      console.log(`${String(bytes.length).padStart(9)}  ${path}`);
    }
    console.log(`${String(total).padStart(9)}  bytes in all, under ${out}`);
    return 0;
  } catch (err) {
    console.error(`generate_www_media: ${(err as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
