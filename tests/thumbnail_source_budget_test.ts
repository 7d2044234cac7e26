/**
 * The byte budget thumbnails take before reading an image: alone, then
 * through `serveThumbnail` with a spy renderer (no timing involved).
 */

import assert from "node:assert/strict";
import { SourceBudget } from "../lib/server/thumbnail/source_budget.ts";
import { serveThumbnail } from "../lib/server/thumbnail/thumbnail.ts";
import { ThumbnailCache } from "../lib/server/thumbnail/cache.ts";
import type { Thumbnail } from "../lib/server/thumbnail/codec.ts";
import type { ThumbnailRenderer } from "../lib/server/thumbnail/renderer.ts";
import type { HttpRequest } from "../lib/server/core/request.ts";
import type { ResponseWriter } from "../lib/server/core/response_writer.ts";

Deno.test("SourceBudget refuses what does not fit, but never a first file", () => {
  const budget = new SourceBudget(100);
  const big = budget.tryTake(500);
  assert.ok(big !== null, "alone, a file larger than the budget fits");
  assert.equal(budget.tryTake(1), null);
  big();
  big(); // twice gives back once
  assert.equal(budget.heldBytes, 0);
  const a = budget.tryTake(60)!;
  assert.equal(budget.tryTake(41), null);
  const b = budget.tryTake(40)!;
  assert.equal(budget.heldBytes, 100);
  a();
  b();
  assert.equal(budget.heldBytes, 0);
});

Deno.test("serveThumbnail takes the budget before reading: concurrent big images get the icon", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const size = 4000;
    for (const name of ["a.png", "b.png"]) {
      await Deno.writeFile(`${dir}/${name}`, new Uint8Array(size));
    }
    const source = (name: string) => ({
      fsPath: `${dir}/${name}`,
      info: Deno.statSync(`${dir}/${name}`),
    });
    // A spy renderer: records the bytes it got, finishes when told.
    const got: number[] = [];
    let finish = () => {};
    const renderer = {
      render(bytes: Uint8Array): Promise<Thumbnail> {
        got.push(bytes.length);
        return new Promise((resolve) => {
          finish = () =>
            resolve({
              bytes: new Uint8Array([1, 2, 3]),
              width: 1,
              height: 1,
              sourcePixels: 1,
            });
        });
      },
    } as unknown as ThumbnailRenderer;
    const statuses: { status: number; type: string }[] = [];
    const res = {
      send(status: number, headers: [string, string][]) {
        const type = headers.find(([k]) => k.toLowerCase() === "content-type");
        statuses.push({ status, type: type?.[1] ?? "" });
        return Promise.resolve();
      },
    } as unknown as ResponseWriter;
    const req = { headers: new Map(), path: "/x" } as unknown as HttpRequest;
    const budget = new SourceBudget(size + 100);
    const options = {
      renderer,
      sourceBudget: budget,
      cache: new ThumbnailCache(),
      racyWindowMs: 0,
      root: dir,
    };

    const first = serveThumbnail(req, res, source("a.png"), options);
    for (let i = 0; i < 100 && got.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(got, [size], "the first image was read and queued");
    assert.equal(budget.heldBytes, size, "its bytes count until rendered");
    // A second large image while the first holds the budget: not read.
    await serveThumbnail(req, res, source("b.png"), options);
    assert.deepEqual(got, [size], "the renderer never saw the second");
    assert.equal(statuses[0]?.status, 200);
    assert.equal(statuses[0]?.type, "image/svg+xml", "the icon instead");
    finish();
    await first;
    assert.equal(budget.heldBytes, 0, "given back once rendered");
    assert.equal(statuses[1]?.type, "image/webp");
    // The icon answered for lack of room was not kept: b is tried again.
    const second = serveThumbnail(req, res, source("b.png"), options);
    for (let i = 0; i < 100 && got.length === 1; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(got, [size, size]);
    finish();
    await second;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
