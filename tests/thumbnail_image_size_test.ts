import assert from "node:assert/strict";
import { readImageSize } from "../lib/server/thumbnail/image_size.ts";
import {
  makeJpeg,
  makePng,
  makeWebp,
  pngHeaderOnly,
} from "./helpers/test_images.ts";

Deno.test("readImageSize reads real PNG, JPEG and WebP files", async () => {
  assert.deepEqual(readImageSize(await makePng(37, 21)), {
    format: "png",
    width: 37,
    height: 21,
  });
  assert.deepEqual(readImageSize(await makeJpeg(300, 17)), {
    format: "jpeg",
    width: 300,
    height: 17,
  });
  assert.deepEqual(readImageSize(await makeWebp(65, 129)), {
    format: "webp",
    width: 65,
    height: 129,
  });
});

Deno.test("readImageSize reads the bundled images", () => {
  const size = readImageSize(
    Deno.readFileSync(new URL("../www/images/mandelbrot.png", import.meta.url)),
  );
  assert.deepEqual(size, { format: "png", width: 512, height: 384 });
});

Deno.test("readImageSize trusts only the header, so a bomb is sized without decoding", () => {
  assert.deepEqual(readImageSize(pngHeaderOnly(60_000, 60_000)), {
    format: "png",
    width: 60_000,
    height: 60_000,
  });
});

Deno.test("readImageSize skips JPEG segments before the frame header", () => {
  // SOI, an APP1 segment of 100 bytes (containing FF C0 as data), a fill
  // byte, then SOF2 (progressive) with 8-bit samples, 480 × 640.
  const app1 = new Uint8Array(100).fill(0xc0);
  app1[0] = 0xff;
  const bytes = new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xe1,
    0x00,
    102,
    ...app1,
    0xff,
    0xff,
    0xc2,
    0x00,
    0x11,
    0x08,
    0x01,
    0xe0,
    0x02,
    0x80,
    0x03,
  ]);
  assert.deepEqual(readImageSize(bytes), {
    format: "jpeg",
    width: 640,
    height: 480,
  });
});

Deno.test("readImageSize returns null for other formats, truncation and zero sizes", async () => {
  const png = await makePng(4, 4);
  const jpeg = await makeJpeg(4, 4);
  const cases: Array<[string, Uint8Array]> = [
    ["empty", new Uint8Array(0)],
    [
      "svg",
      new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
    ["gif", new TextEncoder().encode("GIF89a\x01\x00\x01\x00")],
    ["png signature only", png.subarray(0, 8)],
    ["png cut in IHDR", png.subarray(0, 20)],
    ["jpeg SOI only", jpeg.subarray(0, 2)],
    ["jpeg without frame", new Uint8Array([0xff, 0xd8, 0xff, 0xd9])],
    ["jpeg garbage", new Uint8Array([0xff, 0xd8, 0x12, 0x34, 0x56, 0x78])],
    ["png zero width", pngHeaderOnly(0, 10)],
    ["riff not webp", new TextEncoder().encode("RIFF\0\0\0\0WAVEfmt ")],
  ];
  for (const [label, bytes] of cases) {
    assert.equal(readImageSize(bytes), null, label);
  }
});
