import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { crc32 as nodeCrc32 } from "node:zlib";
import { crc32, updateCrc32 } from "../lib/common/crc32.ts";
import { encodeIco } from "../www_media/ico.ts";
import { MediaEncodeError } from "../www_media/media_error.ts";
import {
  encodePng,
  filterScanlines,
  PNG_CHANNELS,
  PNG_SIGNATURE,
  pngChunk,
  type PngColorType,
  type RasterImage,
  zlibDecompress,
} from "../www_media/png.ts";
import { createSeededRandom as seededRandom } from "../lib/common/seeded_random.ts";
import { encodeWav, WAV_HEADER_BYTES } from "../www_media/wav.ts";
import { renderWwwMedia, WWW_MEDIA } from "../www_media/generate.ts";
import { get, rawRequest } from "./helpers/raw_http.ts";
import { REPO_DIR, serveFolder } from "./helpers/spidey_process.ts";

const SITE = `${REPO_DIR}/www`;
const ascii = new TextEncoder();
const text = new TextDecoder();

interface Chunk {
  type: string;
  data: Uint8Array;
}

/** Splits a PNG into chunks, checking framing and every CRC on the way. */
function readChunks(png: Uint8Array): Chunk[] {
  assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const length = view.getUint32(at);
    const typed = png.subarray(at + 4, at + 8 + length);
    // node:zlib's CRC is an independent oracle for the one under test.
    assert.equal(view.getUint32(at + 8 + length), nodeCrc32(typed));
    chunks.push({
      type: text.decode(typed.subarray(0, 4)),
      data: typed.subarray(4),
    });
    at += 12 + length;
  }
  assert.equal(at, png.length, "no bytes after the last chunk");
  return chunks;
}

interface Ihdr {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  rest: number[];
}

function readIhdr(chunk: Chunk): Ihdr {
  assert.equal(chunk.type, "IHDR");
  assert.equal(chunk.data.length, 13);
  const v = new DataView(chunk.data.buffer, chunk.data.byteOffset, 13);
  return {
    width: v.getUint32(0),
    height: v.getUint32(4),
    bitDepth: chunk.data[8]!,
    colorType: chunk.data[9]!,
    rest: [...chunk.data.subarray(10)],
  };
}

/** Reverses PNG filtering, written apart from the encoder's own code. */
function unfilter(raw: Uint8Array, width: number, height: number, bpp: number) {
  const stride = width * bpp;
  const out = new Uint8Array(stride * height);
  const types = new Set<number>();
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)]!;
    types.add(type);
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= bpp ? out[y * stride + i - bpp]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = i >= bpp && y > 0 ? out[(y - 1) * stride + i - bpp]! : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const predictors = [0, a, b, (a + b) >> 1, paeth];
      out[y * stride + i] = (x + predictors[type]!) & 0xff;
    }
  }
  return { pixels: out, types };
}

/** A picture with smooth areas and noise, so every filter gets chosen. */
function testImage(colorType: PngColorType, width = 37, height = 23) {
  const random = seededRandom(7);
  const channels = PNG_CHANNELS[colorType];
  const pixels = new Uint8Array(width * height * channels);
  for (let i = 0; i < pixels.length; i++) {
    const x = Math.floor(i / channels) % width;
    const y = Math.floor(i / channels / width);
    pixels[i] = y < height / 3
      ? x * 5 + (i % channels) * 40
      : y < (2 * height) / 3
      ? y * 9
      : random() * 256;
  }
  return { width, height, colorType, pixels } satisfies RasterImage;
}

/** IHDR plus the decompressed IDAT: the content of a PNG without zlib. */
async function pngContent(png: Uint8Array) {
  const chunks = readChunks(png);
  assert.deepEqual(chunks.map((c) => c.type), ["IHDR", "IDAT", "IEND"]);
  return {
    ihdr: readIhdr(chunks[0]!),
    raw: await zlibDecompress(chunks[1]!.data),
  };
}

function icoImages(ico: Uint8Array): Uint8Array[] {
  const v = new DataView(ico.buffer, ico.byteOffset, ico.byteLength);
  const count = v.getUint16(4, true);
  return Array.from({ length: count }, (_, i) => {
    const size = v.getUint32(6 + 16 * i + 8, true);
    const offset = v.getUint32(6 + 16 * i + 12, true);
    return ico.subarray(offset, offset + size);
  });
}

Deno.test("crc32 matches the published check values", () => {
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32(ascii.encode("123456789")), 0xcbf43926);
  assert.equal(
    crc32(ascii.encode("The quick brown fox jumps over the lazy dog")),
    0x414fa339,
  );
  // Every PNG ends with this chunk; its CRC is famous: AE 42 60 82.
  assert.equal(crc32(ascii.encode("IEND")), 0xae426082);
});

Deno.test("crc32 fed in pieces equals crc32 of the whole, and node's", () => {
  const random = seededRandom(42);
  const bytes = Uint8Array.from({ length: 5000 }, () => random() * 256);
  const split = updateCrc32(
    bytes.subarray(1234),
    updateCrc32(bytes.subarray(0, 1234)),
  );
  assert.equal(split, crc32(bytes));
  assert.equal(crc32(bytes), nodeCrc32(bytes));
});

Deno.test("pngChunk frames length, type, data and CRC", () => {
  const chunk = pngChunk("tEXt", ascii.encode("Title\0spidey"));
  const v = new DataView(chunk.buffer);
  assert.equal(v.getUint32(0), 12);
  assert.equal(text.decode(chunk.subarray(4, 8)), "tEXt");
  assert.equal(text.decode(chunk.subarray(8, 20)), "Title\0spidey");
  assert.equal(v.getUint32(20), nodeCrc32(chunk.subarray(4, 20)));
  assert.throws(() => pngChunk("ID4T", new Uint8Array(0)), MediaEncodeError);
});

for (const colorType of ["gray", "rgb", "rgba"] as const) {
  Deno.test(`encodePng writes a valid ${colorType} PNG whose IDAT decodes back to the pixels`, async () => {
    const image = testImage(colorType);
    const { ihdr, raw } = await pngContent(await encodePng(image));
    assert.deepEqual(ihdr, {
      width: 37,
      height: 23,
      bitDepth: 8,
      colorType: { gray: 0, rgb: 2, rgba: 6 }[colorType],
      rest: [0, 0, 0],
    });
    const channels = PNG_CHANNELS[colorType];
    assert.equal(raw.length, (37 * channels + 1) * 23);
    assert.deepEqual(raw, filterScanlines(image));
    const { pixels, types } = unfilter(raw, 37, 23, channels);
    assert.deepEqual(pixels, image.pixels);
    assert.ok(types.size >= 2, `several filters used, got ${[...types]}`);
  });
}

Deno.test("encodePng refuses sizes and buffers that cannot make a PNG", async () => {
  const cases: Array<[RasterImage, string]> = [
    [{ ...testImage("rgb"), width: 0 }, "PNG_BAD_SIZE"],
    [{ ...testImage("rgb"), height: 1.5 }, "PNG_BAD_SIZE"],
    [{ ...testImage("rgb"), colorType: "rgba" }, "PNG_BAD_PIXELS"],
  ];
  for (const [image, code] of cases) {
    await assert.rejects(() => encodePng(image), (err: unknown) => {
      assert.ok(err instanceof MediaEncodeError);
      assert.equal(err.code, code);
      assert.match(err.message, /^[A-Z]/);
      return true;
    });
  }
});

Deno.test("encodeWav writes the canonical 44-byte header and clipped samples", () => {
  const samples = Float32Array.of(0, 1, -1, 0.5, 2, -3);
  const wav = encodeWav({ sampleRate: 22050, channels: 2, samples });
  const v = new DataView(wav.buffer);
  const tag = (at: number) => text.decode(wav.subarray(at, at + 4));
  assert.equal(wav.length, WAV_HEADER_BYTES + samples.length * 2);
  assert.deepEqual([tag(0), tag(8), tag(12), tag(36)], [
    "RIFF",
    "WAVE",
    "fmt ",
    "data",
  ]);
  assert.equal(v.getUint32(4, true), wav.length - 8);
  assert.equal(v.getUint32(16, true), 16);
  assert.equal(v.getUint16(20, true), 1, "PCM");
  assert.equal(v.getUint16(22, true), 2, "channels");
  assert.equal(v.getUint32(24, true), 22050);
  assert.equal(v.getUint32(28, true), 22050 * 4, "byte rate");
  assert.equal(v.getUint16(32, true), 4, "block align");
  assert.equal(v.getUint16(34, true), 16, "bits per sample");
  assert.equal(v.getUint32(40, true), samples.length * 2);
  const pcm = Array.from({ length: 6 }, (_, i) => v.getInt16(44 + i * 2, true));
  assert.deepEqual(pcm, [0, 32767, -32767, 16384, 32767, -32767]);
});

Deno.test("encodeWav refuses a bad format or a ragged sample buffer", () => {
  const bad = [
    [
      { sampleRate: 0, channels: 1, samples: new Float32Array(2) },
      "WAV_BAD_FORMAT",
    ],
    [
      { sampleRate: 8000, channels: 0, samples: new Float32Array(2) },
      "WAV_BAD_FORMAT",
    ],
    [
      { sampleRate: 8000, channels: 2, samples: new Float32Array(3) },
      "WAV_BAD_SAMPLES",
    ],
    [
      { sampleRate: 8000, channels: 1, samples: Float32Array.of(NaN) },
      "WAV_BAD_SAMPLES",
    ],
  ] as const;
  for (const [audio, code] of bad) {
    assert.throws(() => encodeWav(audio), { name: "MediaEncodeError", code });
  }
});

Deno.test("encodeIco lists each PNG with its size and offset", async () => {
  const small = await encodePng(testImage("rgba", 16, 16));
  const big = await encodePng(testImage("rgba", 256, 256));
  const ico = encodeIco([
    { width: 16, height: 16, png: small },
    { width: 256, height: 256, png: big },
  ]);
  const v = new DataView(ico.buffer);
  assert.deepEqual([
    v.getUint16(0, true),
    v.getUint16(2, true),
    v.getUint16(4, true),
  ], [0, 1, 2]);
  assert.deepEqual([ico[6], ico[7], ico[22], ico[23]], [16, 16, 0, 0]);
  assert.deepEqual(icoImages(ico), [small, big]);
  assert.equal(ico.length, 6 + 32 + small.length + big.length);
  assert.throws(() => encodeIco([]), { code: "ICO_BAD_COUNT" });
});

Deno.test("the media generator gives identical bytes on every run", async () => {
  const first = await renderWwwMedia();
  const second = await renderWwwMedia();
  assert.deepEqual([...first.keys()], WWW_MEDIA.map((m) => m.path));
  for (const [path, bytes] of first) {
    assert.deepEqual(second.get(path), bytes, path);
  }
});

Deno.test("www/ holds the generated media, up to date and within budget", async () => {
  const fresh = await renderWwwMedia();
  let total = 0;
  const stale: string[] = [];
  for (const [path, bytes] of fresh) {
    const committed = await Deno.readFile(`${SITE}/${path}`);
    total += committed.length;
    // PNGs are compared before zlib, so another deflate build cannot matter.
    const pngs = path.endsWith(".png")
      ? [[committed, bytes]]
      : path.endsWith(".ico")
      ? icoImages(committed).map((png, i) => [png, icoImages(bytes)[i]!])
      : [];
    if (pngs.length > 0) {
      for (const [a, b] of pngs) {
        const [x, y] = [await pngContent(a!), await pngContent(b!)];
        if (!isDeepStrictEqual(x, y)) stale.push(path);
      }
    } else if (!isDeepStrictEqual(committed, bytes)) stale.push(path);
    if (path.endsWith(".wav")) assert.ok(committed.length < 300 * 1024, path);
  }
  assert.deepEqual(stale, [], "run: deno run -A www_media/generate.ts");
  assert.ok(total < 2 * 1024 * 1024, `media total ${total} bytes`);
});

Deno.test("www/ has no dotfiles", async () => {
  const found: string[] = [];
  async function walk(dir: string) {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.startsWith(".")) found.push(`${dir}/${entry.name}`);
      if (entry.isDirectory) await walk(`${dir}/${entry.name}`);
    }
  }
  await walk(SITE);
  assert.deepEqual(found, []);
});

Deno.test("spidey serves the bundled site: every link on the welcome page answers", async () => {
  await using spidey = await serveFolder(SITE, ["-q"]);
  const home = await rawRequest(spidey.port, get("/"));
  assert.equal(home.status, 200);
  assert.match(home.headers.get("content-type") ?? "", /^text\/html/);
  const links = new Set(
    [...home.text.matchAll(/(?:href|src)="(\/[^"]*)"/g)].map((m) => m[1]!),
  );
  for (const folder of ["/text/", "/images/", "/audio/", "/cgi-bin/env.sh"]) {
    assert.ok(links.has(folder), `welcome page links ${folder}`);
  }
  for (const link of links) {
    const res = await rawRequest(spidey.port, get(link));
    assert.equal(res.status, 200, `${link}: ${res.head}`);
  }
  const png = await rawRequest(spidey.port, get("/images/spider-web.png"));
  assert.equal(png.headers.get("content-type"), "image/png");
  assert.deepEqual(png.body.subarray(0, 8), PNG_SIGNATURE);
});

Deno.test("spidey serves the bundled text files, odd names and ranges included", async () => {
  await using spidey = await serveFolder(SITE, ["-q"]);
  const cafe = await rawRequest(spidey.port, get("/text/caf%C3%A9.txt"));
  assert.equal(cafe.status, 200);
  assert.match(cafe.text, /crème brûlée/);
  const spaced = await rawRequest(
    spidey.port,
    get("/text/notes%20with%20spaces.txt"),
  );
  assert.equal(spaced.status, 200);
  const wav = await Deno.readFile(`${SITE}/audio/web-chord.wav`);
  const part = await rawRequest(
    spidey.port,
    get("/audio/web-chord.wav", "Range: bytes=0-43\r\n"),
  );
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), `bytes 0-43/${wav.length}`);
  assert.deepEqual(part.body, wav.subarray(0, 44));
  const listing = await rawRequest(
    spidey.port,
    get("/images/", "Accept: application/json\r\n"),
  );
  assert.equal(listing.status, 200);
  const names = JSON.stringify(JSON.parse(listing.text));
  for (
    const { path } of WWW_MEDIA.filter((m) => m.path.startsWith("images/"))
  ) {
    assert.ok(names.includes(path.slice("images/".length)), path);
  }
});
