import assert from "node:assert/strict";
import { ThumbnailError } from "../lib/server/thumbnail/codec.ts";
import { ThumbnailRenderer } from "../lib/server/thumbnail/renderer.ts";
import { makeJpeg, makePng, webpDimensions } from "./helpers/test_images.ts";

function isCode(code: string) {
  return (err: unknown) => err instanceof ThumbnailError && err.code === code;
}

Deno.test("ThumbnailRenderer makes thumbnails in a worker, in order", async () => {
  const renderer = new ThumbnailRenderer();
  try {
    const jobs = [
      renderer.render(await makePng(320, 160)),
      renderer.render(await makeJpeg(100, 400)),
      renderer.render(new TextEncoder().encode("not an image")),
    ];
    assert.equal(renderer.pending, 3);
    const [a, b] = await Promise.all(jobs.slice(0, 2));
    assert.deepEqual(webpDimensions(a!.bytes), { width: 160, height: 80 });
    assert.deepEqual(webpDimensions(b!.bytes), { width: 40, height: 160 });
    await assert.rejects(() => jobs[2]!, isCode("unsupported"));
    assert.equal(renderer.pending, 0);
    assert.equal(renderer.workersStarted, 1);
  } finally {
    renderer.close();
  }
});

Deno.test("ThumbnailRenderer refuses jobs beyond its queue as busy", async () => {
  const renderer = new ThumbnailRenderer({ maxQueue: 1 });
  try {
    const png = await makePng(64, 64);
    const running = renderer.render(png.slice());
    const queued = renderer.render(png.slice());
    await assert.rejects(() => renderer.render(png.slice()), isCode("busy"));
    await Promise.all([running, queued]);
  } finally {
    renderer.close();
  }
});

Deno.test("ThumbnailRenderer bounds the bytes its jobs hold, but always takes one", async () => {
  const png = await makePng(64, 64);
  const renderer = new ThumbnailRenderer({ maxQueuedBytes: png.length * 2 });
  try {
    // Alone, even a job over the budget is taken.
    const alone = new ThumbnailRenderer({ maxQueuedBytes: 1 });
    try {
      assert.equal((await alone.render(png.slice())).width, 64);
    } finally {
      alone.close();
    }
    const first = renderer.render(png.slice());
    const second = renderer.render(png.slice());
    await assert.rejects(() => renderer.render(png.slice()), isCode("busy"));
    await Promise.all([first, second]);
    // Finished jobs give their bytes back.
    assert.equal((await renderer.render(png.slice())).width, 64);
  } finally {
    renderer.close();
  }
});

Deno.test("ThumbnailRenderer stops a job that runs too long and carries on", async () => {
  const big = await makeJpeg(3000, 2000);
  const small = await makePng(50, 50);
  // No decode of a 6-megapixel JPEG finishes in 1 ms, however fast the
  // machine, so the first job must time out.
  const renderer = new ThumbnailRenderer({ timeoutMs: 1 });
  try {
    await assert.rejects(() => renderer.render(big), isCode("timeout"));
  } finally {
    renderer.close();
  }
  const patient = new ThumbnailRenderer({ timeoutMs: 60_000 });
  try {
    const thumb = await patient.render(small);
    assert.equal(thumb.width, 50);
  } finally {
    patient.close();
  }
});

Deno.test("ThumbnailRenderer survives jobs timed out and closed while its worker starts", async () => {
  // Terminating a worker while V8 compiled its codecs' WebAssembly by
  // streaming crashed the whole process. A worker here loads its codecs in
  // about 100 ms;
  // these renderers stop theirs at moments spread over the first 130 ms.
  const big = await makeJpeg(3000, 2000);
  for (let i = 0; i < 16; i++) {
    const ms = 1 + i * 8;
    const renderer = new ThumbnailRenderer({ timeoutMs: ms });
    const job = renderer.render(big.slice());
    if (i % 2 === 1) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      renderer.close();
      await assert.rejects(() => job, isCode("failed"));
    } else {
      await assert.rejects(() => job, isCode("timeout"));
      renderer.close();
    }
  }
  const patient = new ThumbnailRenderer();
  try {
    const thumb = await patient.render(await makePng(50, 50));
    assert.equal(thumb.width, 50);
  } finally {
    patient.close();
  }
});

Deno.test("ThumbnailRenderer replaces its worker after a large source image", async () => {
  const renderer = new ThumbnailRenderer({ recycleAbovePixels: 100 * 100 });
  try {
    await renderer.render(await makePng(50, 50));
    await renderer.render(await makePng(60, 60));
    assert.equal(renderer.workersStarted, 1);
    await renderer.render(await makePng(200, 200));
    await renderer.render(await makePng(50, 50));
    assert.equal(renderer.workersStarted, 2);
  } finally {
    renderer.close();
  }
});

Deno.test("ThumbnailRenderer.close fails waiting jobs and refuses new ones", async () => {
  const renderer = new ThumbnailRenderer();
  const png = await makePng(500, 500);
  const jobs = [renderer.render(png.slice()), renderer.render(png.slice())];
  renderer.close();
  for (const job of jobs) await assert.rejects(() => job, isCode("failed"));
  await assert.rejects(() => renderer.render(png), isCode("failed"));
});
