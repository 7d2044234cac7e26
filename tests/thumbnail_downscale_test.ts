import assert from "node:assert/strict";
import { downscaleRgba, fitWithin } from "../lib/server/thumbnail/downscale.ts";

Deno.test("fitWithin keeps the aspect ratio inside the square and never enlarges", () => {
  assert.deepEqual(fitWithin(4000, 3000, 160), { width: 160, height: 120 });
  assert.deepEqual(fitWithin(1080, 1920, 160), { width: 90, height: 160 });
  assert.deepEqual(fitWithin(100, 50, 160), { width: 100, height: 50 });
  assert.deepEqual(fitWithin(10_000, 1, 160), { width: 160, height: 1 });
});

function pixels(...rgba: number[][]): Uint8ClampedArray {
  return new Uint8ClampedArray(rgba.flat());
}

Deno.test("downscaleRgba averages the area each output pixel covers", () => {
  // 2×2 → 1×1: the mean of four opaque pixels.
  const out = downscaleRgba(
    pixels([0, 0, 0, 255], [100, 0, 0, 255], [0, 200, 0, 255], [
      0,
      0,
      40,
      255,
    ]),
    { width: 2, height: 2 },
    { width: 1, height: 1 },
  );
  assert.deepEqual([...out], [25, 50, 10, 255]);
});

Deno.test("downscaleRgba weighs partly covered pixels by coverage", () => {
  // 3 → 2 across: output 0 covers pixel 0 and half of pixel 1.
  const out = downscaleRgba(
    pixels([0, 0, 0, 255], [90, 0, 0, 255], [180, 0, 0, 255]),
    { width: 3, height: 1 },
    { width: 2, height: 1 },
  );
  assert.deepEqual([...out], [30, 0, 0, 255, 150, 0, 0, 255]);
});

Deno.test("downscaleRgba ignores the colour of transparent pixels", () => {
  // A red opaque pixel next to a transparent black one: the colour stays
  // red, at half the opacity.
  const out = downscaleRgba(
    pixels([255, 0, 0, 255], [0, 0, 0, 0]),
    { width: 2, height: 1 },
    { width: 1, height: 1 },
  );
  assert.deepEqual([...out], [255, 0, 0, 128]);
  const clear = downscaleRgba(
    pixels([9, 9, 9, 0], [7, 7, 7, 0]),
    { width: 2, height: 1 },
    { width: 1, height: 1 },
  );
  assert.deepEqual([...clear], [0, 0, 0, 0]);
});

Deno.test("downscaleRgba keeps a flat colour flat at any ratio", () => {
  const w = 997;
  const h = 613;
  const src = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < src.length; i += 4) src.set([12, 200, 77, 255], i);
  const out = downscaleRgba(src, { width: w, height: h }, {
    width: 160,
    height: 98,
  });
  assert.equal(out.length, 160 * 98 * 4);
  for (let i = 0; i < out.length; i += 4) {
    assert.deepEqual([...out.subarray(i, i + 4)], [12, 200, 77, 255]);
  }
});

Deno.test("downscaleRgba refuses short buffers and enlargement", () => {
  assert.throws(
    () =>
      downscaleRgba(new Uint8ClampedArray(4), { width: 2, height: 1 }, {
        width: 1,
        height: 1,
      }),
    RangeError,
  );
  assert.throws(
    () =>
      downscaleRgba(new Uint8ClampedArray(16), { width: 2, height: 2 }, {
        width: 3,
        height: 1,
      }),
    RangeError,
  );
});
