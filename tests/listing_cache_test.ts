import assert from "node:assert/strict";
import {
  type DirectoryRead,
  type DirectoryStamp,
  ListingCache,
  type RenderedListing,
} from "../lib/server/listing/cache.ts";
import { FsWatch, type WatchSink } from "../lib/server/core/fs_watch.ts";

function entries(...names: string[]): DirectoryRead {
  return {
    entries: names.map((name) => ({
      name,
      isDirectory: false,
      size: 1,
      mtimeMs: 0,
      mime: "text/plain",
    })),
    lastModifiedMs: null,
  };
}

function rendered(bytes: number): RenderedListing {
  return {
    body: new Uint8Array(bytes),
    headers: [],
    notModifiedHeaders: [],
    etag: '"x"',
    lastModifiedMs: null,
  };
}

function setup(options: { maxBytes?: number; maxSnapshots?: number } = {}) {
  let clock = 0;
  let reads = 0;
  const cache = new ListingCache({ now: () => clock, ...options });
  return {
    cache,
    advance(ms: number) {
      clock += ms;
    },
    get reads() {
      return reads;
    },
    read(names: string[]) {
      return () => {
        reads++;
        return entries(...names);
      };
    },
  };
}

const STAMP: DirectoryStamp = { ino: 1, mtimeMs: 1000 };

Deno.test("ListingCache reuses a snapshot while the stamp is unchanged and fresh", () => {
  const t = setup();
  const first = t.cache.snapshot("k", STAMP, t.read(["a"]));
  t.advance(999);
  const again = t.cache.snapshot("k", { ...STAMP }, t.read(["b"]));
  assert.equal(again, first);
  assert.equal(t.reads, 1);
});

Deno.test("ListingCache re-reads when the directory's mtime or inode changes", () => {
  const t = setup();
  t.cache.snapshot("k", STAMP, t.read(["a"]));
  const byMtime = t.cache.snapshot(
    "k",
    { ino: 1, mtimeMs: 1001 },
    t.read(["a", "b"]),
  );
  assert.deepEqual(byMtime.entries.map((e) => e.name), ["a", "b"]);
  const byInode = t.cache.snapshot(
    "k",
    { ino: 2, mtimeMs: 1001 },
    t.read(["c"]),
  );
  assert.deepEqual(byInode.entries.map((e) => e.name), ["c"]);
  assert.equal(t.reads, 3);
});

Deno.test("ListingCache re-reads after the staleness bound even with the same stamp", () => {
  const t = setup();
  t.cache.snapshot("k", STAMP, t.read(["a"]));
  t.advance(1000);
  const later = t.cache.snapshot("k", STAMP, t.read(["a-bigger"]));
  assert.deepEqual(later.entries.map((e) => e.name), ["a-bigger"]);
  assert.equal(t.reads, 2);
});

Deno.test("ListingCache keeps rendered variants when a stale re-read finds no change", () => {
  const t = setup();
  const first = t.cache.snapshot("k", STAMP, t.read(["a", "b"]));
  t.cache.remember("k", first, "html", rendered(10));
  t.advance(1500);
  const again = t.cache.snapshot("k", STAMP, t.read(["a", "b"]));
  assert.equal(t.reads, 2);
  assert.equal(again, first);
  assert.equal(again.variants.size, 1);
  // The clock restarted: no read within the next second.
  t.advance(900);
  t.cache.snapshot("k", STAMP, t.read(["a", "b"]));
  assert.equal(t.reads, 2);
});

Deno.test("ListingCache drops rendered variants when a stale re-read finds a change", () => {
  const t = setup();
  const first = t.cache.snapshot("k", STAMP, t.read(["a"]));
  t.cache.remember("k", first, "html", rendered(10));
  t.advance(1000);
  const changed = t.cache.snapshot("k", STAMP, () => ({
    entries: [
      {
        name: "a",
        isDirectory: false,
        size: 2,
        mtimeMs: 0,
        mime: "text/plain",
      },
    ],
    lastModifiedMs: null,
  }));
  assert.notEqual(changed, first);
  assert.equal(changed.variants.size, 0);
  assert.equal(changed.entries[0]!.size, 2);
});

Deno.test("ListingCache keeps a snapshot's date while its entries stay the same", () => {
  const t = setup();
  const dated = (date: number | null) => () => ({
    ...entries("a"),
    lastModifiedMs: date,
  });
  const first = t.cache.snapshot("k", STAMP, dated(5000));
  assert.equal(first.lastModifiedMs, 5000);
  t.cache.remember("k", first, "html", rendered(10));
  // A later change time with the same entries (a chmod, say) or none at
  // all (such a change moments ago): the bytes, and so the date, stand.
  t.advance(1000);
  assert.equal(t.cache.snapshot("k", STAMP, dated(9000)), first);
  t.advance(1000);
  assert.equal(t.cache.snapshot("k", STAMP, dated(null)), first);
  assert.equal(first.lastModifiedMs, 5000);
  assert.equal(first.variants.size, 1);
});

Deno.test("ListingCache renders anew when a snapshot without a date gains one", () => {
  const t = setup();
  const dated = (date: number | null) => () => ({
    ...entries("a"),
    lastModifiedMs: date,
  });
  const racy = t.cache.snapshot("k", STAMP, dated(null));
  t.cache.remember("k", racy, "html", rendered(10));
  t.advance(1000);
  const still = t.cache.snapshot("k", STAMP, dated(null));
  assert.equal(still, racy, "no date yet: nothing to gain");
  t.advance(1000);
  const settled = t.cache.snapshot("k", STAMP, dated(5000));
  assert.notEqual(settled, racy);
  assert.equal(settled.lastModifiedMs, 5000);
  assert.equal(settled.variants.size, 0, "variants carry the old headers");
  assert.equal(t.cache.size, 1);
});

Deno.test("ListingCache keeps rendered variants only with their snapshot", () => {
  const t = setup();
  const snap = t.cache.snapshot("k", STAMP, t.read(["a"]));
  t.cache.remember("k", snap, "html", rendered(10));
  assert.equal(
    t.cache.snapshot("k", STAMP, t.read(["a"])).variants.get("html")?.body
      .length,
    10,
  );
  const next = t.cache.snapshot("k", { ino: 1, mtimeMs: 2 }, t.read(["a"]));
  assert.equal(next.variants.size, 0);
  // A variant rendered from a replaced snapshot is not stored.
  t.cache.remember("k", snap, "json", rendered(10));
  assert.equal(next.variants.size, 0);
});

Deno.test("ListingCache drops the oldest snapshots past its byte budget", () => {
  const t = setup({ maxBytes: 10_000 });
  for (const key of ["a", "b", "c"]) {
    const snap = t.cache.snapshot(key, STAMP, t.read(["x"]));
    t.cache.remember(key, snap, "html", rendered(2_450));
  }
  assert.equal(t.cache.size, 3);
  const d = t.cache.snapshot("d", STAMP, t.read(["x"]));
  t.cache.remember("d", d, "html", rendered(2_450));
  assert.ok(t.cache.bytes <= 10_000);
  assert.equal(t.cache.size, 3);
  // "a" was read first, so it went; reading it again calls read.
  const before = t.reads;
  t.cache.snapshot("a", STAMP, t.read(["x"]));
  assert.equal(t.reads, before + 1);
});

Deno.test("ListingCache does not store a variant larger than a quarter of its budget", () => {
  const t = setup({ maxBytes: 10_000 });
  const snap = t.cache.snapshot("k", STAMP, t.read(["x"]));
  t.cache.remember("k", snap, "html", rendered(3_000));
  assert.equal(snap.variants.size, 0);
});

Deno.test("ListingCache propagates read errors and forgets the old snapshot", () => {
  const t = setup();
  t.cache.snapshot("k", STAMP, t.read(["a"]));
  assert.throws(
    () =>
      t.cache.snapshot("k", { ino: 1, mtimeMs: 5 }, () => {
        throw new Deno.errors.NotFound("gone");
      }),
    Deno.errors.NotFound,
  );
  assert.equal(t.cache.size, 0);
  assert.equal(t.cache.bytes, 0);
});

Deno.test("ListingCache holds at most maxSnapshots directories", () => {
  const t = setup({ maxSnapshots: 2 });
  for (const key of ["a", "b", "c"]) {
    t.cache.snapshot(key, STAMP, t.read(["x"]));
  }
  assert.equal(t.cache.size, 2);
  const before = t.reads;
  t.cache.snapshot("c", STAMP, t.read(["x"]));
  assert.equal(t.reads, before, "the newest stayed");
  t.cache.snapshot("a", STAMP, t.read(["x"]));
  assert.equal(t.reads, before + 1, "the oldest went");
});

Deno.test("ListingCache keeps a slow-to-read snapshot fresh for ten times its read", () => {
  let clock = 0;
  let reads = 0;
  const cache = new ListingCache({ now: () => clock });
  // A read that takes 400 ms of the clock (a huge directory).
  const slowRead = () => {
    reads++;
    clock += 400;
    return entries("a");
  };
  cache.snapshot("k", STAMP, slowRead);
  clock += 3_000; // 3.4 s after the read began: within 10 × 400 ms
  cache.snapshot("k", STAMP, slowRead);
  assert.equal(reads, 1);
  clock += 1_000; // 4.4 s: past it
  cache.snapshot("k", STAMP, slowRead);
  assert.equal(reads, 2);
  // A changed stamp still re-reads at once.
  cache.snapshot("k", { ino: 1, mtimeMs: 2000 }, slowRead);
  assert.equal(reads, 3);
  // A fast read falls back to the 1 s bound.
  const fast = new ListingCache({ now: () => clock });
  let fastReads = 0;
  const fastRead = () => {
    fastReads++;
    return entries("a");
  };
  fast.snapshot("k", STAMP, fastRead);
  clock += 1_001;
  fast.snapshot("k", STAMP, fastRead);
  assert.equal(fastReads, 2);
});

/** A cache on a watch of `/r` whose events the test sends. */
function watched() {
  let sink: WatchSink | null = null;
  let clock = 0;
  const watch = new FsWatch("/r", {
    source: { start: (_root, s) => sink = s, close: () => sink = null },
    now: () => clock,
  });
  const cache = new ListingCache({ watch });
  let reads = 0;
  return {
    cache,
    watch,
    sink: () => sink!,
    advance: (ms: number) => clock += ms,
    get reads() {
      return reads;
    },
    read: (names: string[], trustForMs?: number) => () => {
      reads++;
      return { ...entries(...names), trustForMs };
    },
  };
}

Deno.test("ListingCache with events keeps a snapshot until its directory changes", () => {
  const t = watched();
  t.sink().ready();
  const paths = ["/r/d"];
  const first = t.cache.snapshot("k", STAMP, t.read(["a"]), paths);
  t.advance(3_600_000);
  assert.equal(t.cache.snapshot("k", STAMP, t.read(["x"]), paths), first);
  assert.equal(t.reads, 1, "an hour on, still no read");
  // A file in it changed size: the directory's mtime did not move.
  t.sink().event("modify", ["/r/d/a"], false);
  const after = t.cache.snapshot("k", STAMP, t.read(["a-bigger"]), paths);
  assert.deepEqual(after.entries.map((e) => e.name), ["a-bigger"]);
  t.sink().event("modify", ["/r/d/sub/deeper"], false);
  assert.equal(t.cache.snapshot("k", STAMP, t.read(["y"]), paths), after);
  t.sink().event("rename", ["/r/d"], false);
  t.watch.flush();
  assert.equal(t.cache.size, 0);
  t.watch.close();
});

Deno.test("ListingCache trusts nothing while the watch starts or the directory is new", () => {
  const t = watched();
  t.cache.snapshot("k", STAMP, t.read(["a"]), ["/r/d"]);
  t.cache.snapshot("k", STAMP, t.read(["a"]), ["/r/d"]);
  assert.equal(t.reads, 2, "starting: read every time");
  t.sink().ready();
  t.sink().event("create", ["/r/new"], false);
  t.cache.snapshot("n", STAMP, t.read(["a"]), ["/r/new"]);
  t.cache.snapshot("n", STAMP, t.read(["a"]), ["/r/new"]);
  assert.equal(t.reads, 4, "a new directory: read every time");
  t.advance(1000);
  t.cache.snapshot("n", STAMP, t.read(["a"]), ["/r/new"]);
  t.cache.snapshot("n", STAMP, t.read(["a"]), ["/r/new"]);
  assert.equal(t.reads, 5, "settled: kept");
  t.watch.close();
});

Deno.test("ListingCache reads again when a read without a date may get one", () => {
  const t = watched();
  t.sink().ready();
  t.cache.snapshot("k", STAMP, t.read(["a"], 700), ["/r/d"]);
  t.advance(699);
  t.cache.snapshot("k", STAMP, t.read(["a"]), ["/r/d"]);
  assert.equal(t.reads, 1);
  t.advance(1);
  t.cache.snapshot("k", STAMP, t.read(["a"]), ["/r/d"]);
  assert.equal(t.reads, 2);
  t.watch.close();
});
