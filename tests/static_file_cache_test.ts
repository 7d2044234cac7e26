import assert from "node:assert/strict";
import {
  type CacheableEntry,
  FileCache,
  type FileStamp,
  stampMatches,
  stampOf,
  timeOf,
} from "../lib/server/static/file_cache.ts";

/** A stat result with just the fields the cache looks at. */
function fakeInfo(stamp: FileStamp): Deno.FileInfo {
  return {
    isFile: true,
    isDirectory: false,
    isSymlink: false,
    size: stamp.size,
    mtime: new Date(stamp.mtimeMs),
    atime: null,
    birthtime: null,
    ctime: new Date(stamp.ctimeMs),
    dev: stamp.dev,
    ino: stamp.ino,
    mode: 0o100644,
    nlink: 1,
    uid: 0,
    gid: 0,
    rdev: 0,
    blksize: 4096,
    blocks: 8,
    isBlockDevice: false,
    isCharDevice: false,
    isFifo: false,
    isSocket: false,
  };
}

const STAMP: FileStamp = {
  size: 10,
  mtimeMs: 1_700_000_000_123,
  ctimeMs: 1_700_000_000_000,
  ino: 42,
  dev: 7,
};

interface Entry extends CacheableEntry {
  name: string;
}

function entry(name: string, cost: number, stamp = STAMP): Entry {
  return { name, cost, stamp };
}

Deno.test("stampOf reads a real stat and stampMatches it", () => {
  const path = Deno.makeTempFileSync();
  try {
    Deno.writeTextFileSync(path, "hello");
    const info = Deno.statSync(path);
    const stamp = stampOf(info);
    assert.equal(stamp.size, 5);
    assert.equal(stamp.mtimeMs, info.mtime!.getTime());
    assert.equal(stamp.ino, info.ino);
    assert.equal(stampMatches(stamp, Deno.statSync(path)), true);
    Deno.writeTextFileSync(path, "hello, world");
    assert.equal(stampMatches(stamp, Deno.statSync(path)), false);
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("timeOf turns missing and invalid times into 0", () => {
  assert.equal(timeOf(null), 0);
  assert.equal(timeOf(new Date(Number.NaN)), 0);
  assert.equal(timeOf(new Date(5)), 5);
});

Deno.test("stampMatches notices every field", () => {
  assert.equal(stampMatches(STAMP, fakeInfo(STAMP)), true);
  for (
    const changed of [
      { ...STAMP, size: 11 },
      { ...STAMP, mtimeMs: STAMP.mtimeMs + 1 },
      { ...STAMP, ctimeMs: STAMP.ctimeMs + 1000 },
      { ...STAMP, ino: 43 },
      { ...STAMP, dev: 8 },
    ]
  ) {
    assert.equal(stampMatches(STAMP, fakeInfo(changed)), false);
  }
});

Deno.test("FileCache answers only for the same version of a file", () => {
  const cache = new FileCache<Entry>({ maxBytes: 1000, maxEntries: 10 });
  cache.set("/a", entry("a", 100));
  assert.equal(cache.get("/a", fakeInfo(STAMP))?.name, "a");
  assert.equal(cache.get("/b", fakeInfo(STAMP)), undefined);
  // A rewrite of the same size shows in the mtime: the entry is dropped.
  const rewritten = fakeInfo({ ...STAMP, mtimeMs: STAMP.mtimeMs + 5 });
  assert.equal(cache.get("/a", rewritten), undefined);
  assert.equal(cache.size, 0);
  assert.equal(cache.bytes, 0);
});

Deno.test("FileCache evicts the least recently used past the byte budget", () => {
  const cache = new FileCache<Entry>({ maxBytes: 300, maxEntries: 10 });
  cache.set("/a", entry("a", 100));
  cache.set("/b", entry("b", 100));
  cache.set("/c", entry("c", 100));
  assert.equal(cache.get("/a", fakeInfo(STAMP))?.name, "a");
  cache.set("/d", entry("d", 150));
  assert.equal(cache.get("/b", fakeInfo(STAMP)), undefined);
  assert.equal(cache.get("/c", fakeInfo(STAMP)), undefined);
  assert.equal(cache.get("/a", fakeInfo(STAMP))?.name, "a");
  assert.equal(cache.get("/d", fakeInfo(STAMP))?.name, "d");
  assert.equal(cache.bytes, 250);
});

Deno.test("FileCache keeps at most maxEntries", () => {
  const cache = new FileCache<Entry>({ maxBytes: 1e9, maxEntries: 2 });
  cache.set("/a", entry("a", 1));
  cache.set("/b", entry("b", 1));
  cache.set("/c", entry("c", 1));
  assert.equal(cache.size, 2);
  assert.equal(cache.get("/a", fakeInfo(STAMP)), undefined);
  assert.equal(cache.bytes, 2);
});

Deno.test("FileCache replaces entries and refuses one larger than the budget", () => {
  const cache = new FileCache<Entry>({ maxBytes: 100, maxEntries: 10 });
  cache.set("/a", entry("a", 40));
  cache.set("/a", entry("a2", 60));
  assert.equal(cache.size, 1);
  assert.equal(cache.bytes, 60);
  assert.equal(cache.get("/a", fakeInfo(STAMP))?.name, "a2");
  cache.set("/huge", entry("huge", 101));
  assert.equal(cache.get("/huge", fakeInfo(STAMP)), undefined);
  assert.equal(cache.get("/a", fakeInfo(STAMP))?.name, "a2");
  cache.delete("/a");
  assert.equal(cache.bytes, 0);
  cache.set("/b", entry("b", 10));
  cache.clear();
  assert.equal(cache.size, 0);
  assert.equal(cache.bytes, 0);
});
