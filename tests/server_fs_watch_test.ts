/**
 * The watch of the served tree and the caches on it: the rules with a
 * hand-driven event source (generation, batches, what a change drops,
 * settling, the interval fallback), then real `Deno.watchFs` events
 * keeping docroot verdicts fresh, then a real spidey serving changed
 * files fresh as soon as the events arrive. No fixed sleeps: waits poll
 * with a deadline.
 */

import assert from "node:assert/strict";
import {
  eventlessFileSystemOf,
  FsWatch,
  type WatchSink,
  type WatchSource,
} from "../lib/server/core/fs_watch.ts";
import { WatchedCache } from "../lib/server/core/watched_cache.ts";
import { DocrootResolver } from "../lib/server/core/docroot.ts";
import { get, rawRequest } from "./helpers/raw_http.ts";
import { serveFolder } from "./helpers/spidey_process.ts";

/** An event source driven by the test. */
function manual(): { source: WatchSource; sink: () => WatchSink } {
  let sink: WatchSink | null = null;
  return {
    source: {
      start(_root, s) {
        sink = s;
      },
      close() {
        sink = null;
      },
    },
    sink: () => {
      assert.ok(sink !== null, "the watch is not listening");
      return sink;
    },
  };
}

/** A watch of `/r` with a manual source, already reporting events. */
function readyWatch(now = () => 0) {
  const m = manual();
  const watch = new FsWatch("/r", { source: m.source, now });
  m.sink().ready();
  return { watch, sink: m.sink };
}

const LIMITS = { maxEntries: 100, maxBytes: 1 << 20 };

Deno.test("the watch starts caching nothing, then trusts events", () => {
  const m = manual();
  const watch = new FsWatch("/r", { source: m.source });
  const cache = new WatchedCache<string>(watch, LIMITS);
  assert.equal(watch.mode, "starting");
  assert.equal(watch.maxAgeMs, 0);
  assert.equal(
    cache.set("k", "v", { paths: ["/r/a"], since: watch.generation }),
    false,
    "nothing is cached before the watch is in place",
  );
  m.sink().ready();
  assert.equal(watch.mode, "events");
  assert.equal(watch.maxAgeMs, Infinity);
  assert.equal(
    cache.set("k", "v", { paths: ["/r/a"], since: watch.generation }),
    true,
  );
  assert.equal(cache.get("k"), "v");
  watch.close();
});

Deno.test("a change drops entries at, under and just above its path", () => {
  const { watch, sink } = readyWatch();
  const cache = new WatchedCache<string>(watch, LIMITS);
  const put = (key: string, ...paths: string[]) =>
    assert.ok(cache.set(key, key, { paths, since: watch.generation }));
  put("file", "/r/d/f.txt");
  put("sibling", "/r/d/g.txt");
  put("dir", "/r/d");
  put("deep", "/r/d/sub/x");
  put("other", "/r/e/f.txt");
  put("top", "/r");
  sink().event("modify", ["/r/d/f.txt"], false);
  // Delivered before any lookup answers, whatever the timer does.
  assert.equal(cache.get("file"), undefined);
  assert.equal(cache.get("dir"), undefined, "the parent lists its children");
  assert.equal(cache.get("sibling"), "sibling");
  assert.equal(cache.get("deep"), "deep");
  assert.equal(cache.get("top"), "top", "only the direct parent goes");
  sink().event("rename", ["/r/d"], false);
  assert.equal(cache.get("sibling"), undefined);
  assert.equal(cache.get("deep"), undefined);
  assert.equal(cache.get("top"), undefined);
  assert.equal(cache.get("other"), "other");
  put("again", "/r/e/g.txt");
  sink().event("modify", ["/r/e/f.txt"], true);
  assert.equal(cache.get("again"), undefined, "a rescan drops everything");
  assert.equal(cache.size, 0);
  watch.close();
});

Deno.test("what the server changed itself is dropped at once, before any event", () => {
  const { watch } = readyWatch();
  const cache = new WatchedCache<string>(watch, LIMITS);
  const since = watch.generation;
  assert.ok(cache.set("listing", "old", { paths: ["/r/up"], since }));
  assert.ok(cache.set("other", "o", { paths: ["/r/else"], since }));
  watch.report(["/r/up/new.txt"]);
  assert.equal(cache.get("listing"), undefined, "the folder's listing goes");
  assert.equal(cache.get("other"), "o");
  // A lookup that began before the report does not keep its answer.
  assert.equal(
    cache.set("listing", "stale", { paths: ["/r/up"], since }),
    false,
  );
  watch.close();
});

Deno.test("an entry made through a symlink goes with any change", () => {
  const { watch, sink } = readyWatch();
  const cache = new WatchedCache<string>(watch, LIMITS);
  cache.set("link", "v", {
    paths: ["/r/link", "/r/real"],
    since: watch.generation,
    anyChange: true,
  });
  cache.set("plain", "v", { paths: ["/r/plain"], since: watch.generation });
  sink().event("modify", ["/r/elsewhere/x"], false);
  assert.equal(cache.get("link"), undefined);
  assert.equal(cache.get("plain"), "v");
  watch.close();
});

Deno.test("a miss during which an event arrived is not kept", () => {
  const { watch, sink } = readyWatch();
  const cache = new WatchedCache<string>(watch, LIMITS);
  const since = watch.generation;
  sink().event("modify", ["/r/unrelated"], false);
  assert.ok(watch.generation > since);
  assert.equal(cache.set("k", "v", { paths: ["/r/a"], since }), false);
  assert.equal(cache.get("k"), undefined);
  watch.close();
});

Deno.test("paths in a directory just created are not settled", () => {
  let now = 0;
  const { watch, sink } = readyWatch(() => now);
  const cache = new WatchedCache<string>(watch, LIMITS);
  sink().event("create", ["/r/new"], false);
  const set = () =>
    cache.set("k", "v", { paths: ["/r/new/f"], since: watch.generation });
  assert.equal(watch.isSettled("/r/new"), true, "the directory itself is");
  assert.equal(set(), false);
  now += 999;
  assert.equal(set(), false);
  now += 1;
  assert.equal(set(), true);
  watch.close();
});

Deno.test("bounds hold in entries and bytes; used entries stay longest", () => {
  const { watch } = readyWatch();
  const cache = new WatchedCache<string>(watch, {
    maxEntries: 3,
    maxBytes: 100,
  });
  const put = (k: string, cost: number) =>
    cache.set(k, k, { paths: [`/r/${k}`], since: watch.generation, cost });
  put("a", 10);
  put("b", 10);
  put("c", 10);
  assert.equal(cache.get("a"), "a");
  put("d", 10);
  // "b" is the oldest not used since: it goes, "a" gets another round.
  assert.deepEqual([..."abcd"].map((k) => cache.get(k) !== undefined), [
    true,
    false,
    true,
    true,
  ]);
  put("e", 10);
  assert.equal(cache.size, 3);
  assert.equal(cache.get("e"), "e", "the newest is never the one to go");
  assert.equal(put("huge", 101), false, "over the whole budget");
  put("big", 90);
  assert.ok(cache.bytes <= 100, `${cache.bytes} bytes held`);
  watch.close();
});

Deno.test("without events, entries are trusted for the interval only", () => {
  let now = 0;
  const changes: Array<[string, string | null]> = [];
  const watch = new FsWatch("/r", {
    useEvents: false,
    intervalMs: 1000,
    now: () => now,
    onModeChange: (mode, reason) => changes.push([mode, reason]),
  });
  assert.equal(watch.mode, "interval");
  assert.equal(watch.maxAgeMs, 1000);
  assert.deepEqual(changes, [[
    "interval",
    "file-system events are turned off",
  ]]);
  const cache = new WatchedCache<string>(watch, LIMITS);
  cache.set("k", "v", { paths: ["/r/a"], since: watch.generation });
  now = 999;
  assert.equal(cache.get("k"), "v");
  now = 1000;
  assert.equal(cache.get("k"), undefined);
  watch.close();
});

Deno.test("a watch that fails falls back to the interval and says why", async () => {
  const m = manual();
  const reasons: Array<string | null> = [];
  const watch = new FsWatch("/r", {
    source: m.source,
    onModeChange: (_mode, reason) => reasons.push(reason),
  });
  m.sink().ready();
  const cache = new WatchedCache<string>(watch, LIMITS);
  cache.set("k", "v", { paths: ["/r/a"], since: watch.generation });
  m.sink().failed("too many watches");
  assert.equal(watch.mode, "interval");
  assert.equal(watch.reason, "too many watches");
  assert.deepEqual(reasons, [null, "too many watches"]);
  assert.equal(cache.get("k"), undefined, "what events vouched for goes");
  assert.equal(await watch.ready, "events");
  watch.close();

  // The real watcher on a root that is not there fails the same way.
  const missing = new FsWatch("/nonexistent-spidey-root");
  assert.equal(await missing.ready, "interval");
  assert.match(missing.reason ?? "", /\S/);
  missing.close();
});

Deno.test("network file systems are known to raise no events", () => {
  const mountinfo = [
    "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
    "40 26 0:50 / /srv/nfs rw,relatime - nfs4 host:/export rw",
    "41 26 0:51 / /srv/with\\040space rw - cifs //host/share rw",
    "42 26 0:52 / /srv/local/mnt rw - 9p share rw",
  ].join("\n");
  assert.equal(eventlessFileSystemOf("/srv/www", mountinfo), null);
  assert.equal(eventlessFileSystemOf("/srv/nfs", mountinfo), "nfs4");
  assert.equal(eventlessFileSystemOf("/srv/nfs/site", mountinfo), "nfs4");
  assert.equal(eventlessFileSystemOf("/srv/with space/x", mountinfo), "cifs");
  assert.equal(
    eventlessFileSystemOf("/srv/local", mountinfo),
    "9p",
    "a mount inside the tree counts",
  );
  assert.equal(eventlessFileSystemOf("/srv/nfsx", mountinfo), null);
});

/** Polls `fn` until it holds, failing after `ms`. */
async function eventually(
  what: string,
  fn: () => boolean | Promise<boolean>,
  ms = 5000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    assert.ok(Date.now() < deadline, `${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("real events keep docroot verdicts fresh", async () => {
  const root = Deno.realPathSync(
    await Deno.makeTempDir({ prefix: "spidey-watch-" }),
  );
  const watch = new FsWatch(root);
  const resolver = new DocrootResolver(root, { dotfiles: false, watch });
  try {
    await Deno.mkdir(`${root}/d`);
    await Deno.mkdir(`${root}/e`);
    await Deno.writeTextFile(`${root}/d/a.txt`, "one");
    await Deno.writeTextFile(`${root}/e/b.txt`, "other");
    await Deno.symlink("d/a.txt", `${root}/link.txt`);
    assert.equal(await watch.ready, "events");

    const first = resolver.resolve("/d/a.txt");
    assert.equal(first.kind, "file");
    assert.equal(resolver.resolve("/d/a.txt"), first, "kept: the same verdict");

    // Rewritten in place.
    await Deno.writeTextFile(`${root}/d/a.txt`, "two, longer");
    await eventually("rewrite", () => {
      const r = resolver.resolve("/d/a.txt");
      return r.kind === "file" && r.info.size === 11;
    });

    // Replaced by a rename.
    await Deno.writeTextFile(`${root}/d/a.tmp`, "three");
    const before = resolver.resolve("/d/a.txt");
    await Deno.rename(`${root}/d/a.tmp`, `${root}/d/a.txt`);
    await eventually("rename over", () => {
      const r = resolver.resolve("/d/a.txt");
      return r !== before && r.kind === "file" && r.info.size === 5;
    });

    // A symlink retargeted.
    const linked = resolver.resolve("/link.txt");
    assert.ok(linked.kind === "file" && linked.realPath === `${root}/d/a.txt`);
    await Deno.symlink("e/b.txt", `${root}/link.tmp`);
    await Deno.rename(`${root}/link.tmp`, `${root}/link.txt`);
    await eventually("retarget", () => {
      const r = resolver.resolve("/link.txt");
      return r.kind === "file" && r.realPath === `${root}/e/b.txt`;
    });

    // A directory renamed: what was under it is gone, and found anew.
    assert.equal(resolver.resolve("/d/").kind, "directory");
    assert.equal(resolver.resolve("/moved/a.txt").kind, "not-found");
    await Deno.rename(`${root}/d`, `${root}/moved`);
    await eventually(
      "directory rename",
      () =>
        resolver.resolve("/d/a.txt").kind === "not-found" &&
        resolver.resolve("/d/").kind === "not-found" &&
        resolver.resolve("/moved/a.txt").kind === "file",
    );

    // index.html created in a directory whose absence was known.
    assert.equal(resolver.resolve("/e/index.html").kind, "not-found");
    await Deno.writeTextFile(`${root}/e/index.html`, "<p>hi");
    await eventually(
      "index created",
      () => resolver.resolve("/e/index.html").kind === "file",
    );
  } finally {
    resolver.close();
    watch.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("without events, verdicts are checked again after the interval", async () => {
  const root = Deno.realPathSync(
    await Deno.makeTempDir({ prefix: "spidey-watch-" }),
  );
  let now = 0;
  const watch = new FsWatch(root, { useEvents: false, now: () => now });
  const resolver = new DocrootResolver(root, { dotfiles: false, watch });
  try {
    await Deno.writeTextFile(`${root}/a.txt`, "one");
    const first = resolver.resolve("/a.txt");
    await Deno.writeTextFile(`${root}/a.txt`, "two, longer");
    assert.equal(resolver.resolve("/a.txt"), first, "trusted within 1 s");
    now += 1000;
    const next = resolver.resolve("/a.txt");
    assert.ok(next.kind === "file" && next.info.size === 11);
  } finally {
    resolver.close();
    watch.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("spidey serves changes fresh as soon as the events arrive", async () => {
  const root = Deno.realPathSync(
    await Deno.makeTempDir({ prefix: "spidey-watch-" }),
  );
  try {
    await Deno.mkdir(`${root}/d`);
    await Deno.mkdir(`${root}/e`);
    await Deno.writeTextFile(`${root}/d/a.txt`, "one\n");
    await Deno.writeTextFile(`${root}/e/b.txt`, "bee\n");
    await Deno.symlink("d/a.txt", `${root}/link.txt`);
    await using spidey = await serveFolder(root, ["-q"]);
    const text = async (path: string) => {
      const res = await rawRequest(spidey.port, get(path));
      return `${res.status} ${res.text}`;
    };
    const servedAs = (path: string, want: (t: string) => boolean) =>
      eventually(path, async () => want(await text(path)));
    // Served twice first, so the second answer comes from the caches.
    for (const p of ["/d/a.txt", "/link.txt", "/e/", "/d/a.txt"]) await text(p);

    await Deno.writeTextFile(`${root}/d/a.txt`, "two\n");
    await servedAs("/d/a.txt", (t) => t === "200 two\n");

    await Deno.writeTextFile(`${root}/d/a.tmp`, "three\n");
    await Deno.rename(`${root}/d/a.tmp`, `${root}/d/a.txt`);
    await servedAs("/d/a.txt", (t) => t === "200 three\n");

    await Deno.symlink("e/b.txt", `${root}/link.tmp`);
    await Deno.rename(`${root}/link.tmp`, `${root}/link.txt`);
    await servedAs("/link.txt", (t) => t === "200 bee\n");

    await Deno.rename(`${root}/d`, `${root}/moved`);
    await servedAs("/d/a.txt", (t) => t.startsWith("404"));
    await servedAs("/moved/a.txt", (t) => t === "200 three\n");

    assert.match(await text("/e/"), /b\.txt/);
    await Deno.writeTextFile(`${root}/e/index.html`, "<p>index");
    await servedAs("/e/", (t) => t === "200 <p>index");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
