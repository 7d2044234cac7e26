import assert from "node:assert/strict";
import {
  DEFAULT_THUMBNAIL_SPEC,
  renderThumbnail,
  ThumbnailError,
} from "../lib/server/thumbnail/codec.ts";
import {
  makeJpeg,
  makePng,
  makeWebp,
  pngHeaderOnly,
  webpDimensions,
} from "./helpers/test_images.ts";

const IMAGES = new URL("../www/images/", import.meta.url);

async function rejectsWith(
  bytes: Uint8Array,
  code: string,
  spec = DEFAULT_THUMBNAIL_SPEC,
): Promise<void> {
  await assert.rejects(
    () => renderThumbnail(bytes, spec),
    (err) => err instanceof ThumbnailError && err.code === code,
  );
}

Deno.test("renderThumbnail shrinks PNG, JPEG and WebP into a 160 px WebP", async () => {
  const cases: Array<[Uint8Array, number, number]> = [
    [await makePng(640, 480), 160, 120],
    [await makeJpeg(900, 1600), 90, 160],
    [await makeWebp(400, 400), 160, 160],
  ];
  for (const [bytes, width, height] of cases) {
    const thumb = await renderThumbnail(bytes);
    assert.equal(thumb.width, width);
    assert.equal(thumb.height, height);
    assert.equal(new TextDecoder().decode(thumb.bytes.subarray(8, 12)), "WEBP");
    assert.deepEqual(webpDimensions(thumb.bytes), { width, height });
    assert.ok(thumb.bytes.length < bytes.length || bytes.length < 4096);
  }
});

Deno.test("renderThumbnail never enlarges a small image", async () => {
  const thumb = await renderThumbnail(
    Deno.readFileSync(new URL("checkerboard.png", IMAGES)),
  );
  assert.deepEqual([thumb.width, thumb.height], [128, 128]);
  assert.equal(thumb.sourcePixels, 128 * 128);
});

Deno.test("renderThumbnail keeps transparency", async () => {
  const thumb = await renderThumbnail(await makePng(300, 300, 0));
  // Lossy WebP with alpha is stored in the extended (VP8X) format, whose
  // flags byte has the alpha bit (0x10) set.
  assert.equal(new TextDecoder().decode(thumb.bytes.subarray(12, 16)), "VP8X");
  assert.equal(thumb.bytes[20]! & 0x10, 0x10);
});

Deno.test("renderThumbnail refuses what it cannot decode: SVG, GIF, text", async () => {
  await rejectsWith(
    Deno.readFileSync(new URL("spidey.svg", IMAGES)),
    "unsupported",
  );
  await rejectsWith(new TextEncoder().encode("GIF89a...."), "unsupported");
  await rejectsWith(new TextEncoder().encode("hello"), "unsupported");
});

Deno.test("renderThumbnail calls a corrupt or truncated file corrupt", async () => {
  const png = await makePng(200, 200);
  // Header intact, data cut short.
  await rejectsWith(png.subarray(0, 60), "corrupt");
  // Header intact, data garbage.
  const garbled = png.slice();
  garbled.fill(0x5a, 40);
  await rejectsWith(garbled, "corrupt");
  // A JPEG frame header followed by nothing the decoder can use.
  await rejectsWith(
    new Uint8Array([
      0xff,
      0xd8,
      0xff,
      0xc0,
      0x00,
      0x11,
      0x08,
      0x00,
      0x10,
      0x00,
      0x10,
      0x03,
    ]),
    "corrupt",
  );
  // The codecs still work afterwards.
  const ok = await renderThumbnail(png);
  assert.equal(ok.width, 160);
});

Deno.test("renderThumbnail refuses images over the pixel budget before decoding", async () => {
  // 60,000² RGBA would be 14 GB, and the file has no pixel data at all:
  // only a decision on the header alone gives "too-large" here.
  await rejectsWith(pngHeaderOnly(60_000, 60_000), "too-large");
  await rejectsWith(await makePng(300, 200), "too-large", {
    ...DEFAULT_THUMBNAIL_SPEC,
    maxPixels: 300 * 200 - 1,
  });
  const atLimit = await renderThumbnail(await makePng(300, 200), {
    ...DEFAULT_THUMBNAIL_SPEC,
    maxPixels: 300 * 200,
  });
  assert.equal(atLimit.sourcePixels, 60_000);
});

Deno.test("ThumbnailError separates passing conditions from properties of the file", () => {
  assert.equal(new ThumbnailError("busy", "x").transient, true);
  assert.equal(new ThumbnailError("failed", "x").transient, true);
  assert.equal(new ThumbnailError("corrupt", "x").transient, false);
  assert.equal(new ThumbnailError("timeout", "x").transient, false);
  assert.equal(new ThumbnailError("corrupt", "x").name, "ThumbnailError");
});

Deno.test("the codecs compile their WebAssembly from bytes, never by streaming (whose background job crashes a worker ended during it)", async () => {
  const images = [
    await makePng(640, 480),
    await makeJpeg(900, 1600),
    await makeWebp(400, 400),
  ];
  const worker = new Worker(
    new URL("./helpers/codec_loading_worker.ts", import.meta.url),
    { type: "module" },
  );
  try {
    const answer = new Promise<{ sizes: string[]; streamingCalls: number }>(
      (resolve, reject) => {
        worker.onmessage = (event) => resolve(event.data);
        worker.onerror = (event) => {
          event.preventDefault();
          reject(new Error(event.message));
        };
      },
    );
    worker.postMessage(images);
    const { sizes, streamingCalls } = await answer;
    assert.deepEqual(sizes, ["160x120", "90x160", "160x160"]);
    assert.equal(streamingCalls, 0);
  } finally {
    worker.terminate();
  }
});
