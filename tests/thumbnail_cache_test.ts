import assert from "node:assert/strict";
import {
  type CachedThumbnail,
  ThumbnailCache,
  thumbnailKeyOf,
} from "../lib/server/thumbnail/cache.ts";

function answer(bytes: number, etag: string | null = '"x"'): CachedThumbnail {
  return {
    body: new Uint8Array(bytes),
    headers: [],
    notModifiedHeaders: [],
    validators: etag === null ? null : { etag, lastModifiedMs: null },
  };
}

function info(size: number, mtimeMs: number, ino: number): Deno.FileInfo {
  return { ...Deno.statSync("."), size, mtime: new Date(mtimeMs), ino };
}

Deno.test("thumbnailKeyOf changes with path, size, mtime and inode", () => {
  const base = thumbnailKeyOf("/a.png", info(10, 1000, 7));
  assert.equal(thumbnailKeyOf("/a.png", info(10, 1000, 7)), base);
  assert.notEqual(thumbnailKeyOf("/b.png", info(10, 1000, 7)), base);
  assert.notEqual(thumbnailKeyOf("/a.png", info(11, 1000, 7)), base);
  assert.notEqual(thumbnailKeyOf("/a.png", info(10, 1001, 7)), base);
  assert.notEqual(thumbnailKeyOf("/a.png", info(10, 1000, 8)), base);
});

Deno.test("ThumbnailCache.resolve produces once, then answers from memory", async () => {
  const cache = new ThumbnailCache();
  let calls = 0;
  const produce = () => {
    calls++;
    return Promise.resolve({ value: answer(100), cacheable: true });
  };
  const first = await cache.resolve("k", produce);
  const second = await cache.resolve("k", produce);
  assert.equal(calls, 1);
  assert.equal(second, first);
  assert.equal(cache.size, 1);
  assert.ok(cache.bytes >= 100);
});

Deno.test("ThumbnailCache.resolve shares one job among concurrent callers", async () => {
  const cache = new ThumbnailCache();
  let calls = 0;
  let finish!: () => void;
  const gate = new Promise<void>((r) => finish = r);
  const produce = async () => {
    calls++;
    await gate;
    return { value: answer(10), cacheable: true };
  };
  const waiting = [1, 2, 3, 4].map(() => cache.resolve("k", produce));
  finish();
  const got = await Promise.all(waiting);
  assert.equal(calls, 1);
  assert.ok(got.every((g) => g === got[0]));
});

Deno.test("ThumbnailCache keeps neither uncacheable answers nor failures", async () => {
  const cache = new ThumbnailCache();
  let calls = 0;
  await cache.resolve("k", () => {
    calls++;
    return Promise.resolve({ value: answer(10, null), cacheable: false });
  });
  await cache.resolve("k", () => {
    calls++;
    return Promise.resolve({ value: answer(10, null), cacheable: false });
  });
  assert.equal(calls, 2);
  assert.equal(cache.size, 0);
  await assert.rejects(
    () => cache.resolve("e", () => Promise.reject(new Error("boom"))),
    /boom/,
  );
  const after = await cache.resolve(
    "e",
    () => Promise.resolve({ value: answer(5), cacheable: true }),
  );
  assert.equal(after.body.length, 5);
});

Deno.test("ThumbnailCache evicts the least recently used past its byte budget", async () => {
  // Each entry costs its body plus a fixed overhead (< 1 KiB).
  const cache = new ThumbnailCache({ maxBytes: 3 * 2048 });
  const put = (k: string) =>
    cache.resolve(
      k,
      () => Promise.resolve({ value: answer(1024), cacheable: true }),
    );
  await put("a");
  await put("b");
  await put("c");
  assert.equal(cache.size, 3);
  cache.get("a"); // a is now the most recently used
  await put("d");
  await put("e");
  assert.ok(cache.bytes <= 3 * 2048);
  assert.ok(cache.get("a") !== undefined, "recently used entry evicted");
  assert.equal(cache.get("b"), undefined);
  assert.ok(cache.get("e") !== undefined);
});

Deno.test("ThumbnailCache honours its entry cap and skips oversized bodies", async () => {
  const cache = new ThumbnailCache({ maxEntries: 2, maxBytes: 10_000 });
  for (const k of ["a", "b", "c"]) {
    await cache.resolve(
      k,
      () => Promise.resolve({ value: answer(1), cacheable: true }),
    );
  }
  assert.equal(cache.size, 2);
  assert.equal(cache.get("a"), undefined);
  await cache.resolve(
    "huge",
    () => Promise.resolve({ value: answer(20_000), cacheable: true }),
  );
  assert.equal(cache.get("huge"), undefined);
  assert.equal(cache.size, 2);
  cache.clear();
  assert.equal(cache.size, 0);
  assert.equal(cache.bytes, 0);
});
