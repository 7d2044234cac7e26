import assert from "node:assert/strict";
import {
  fullCollection,
  MemoryRelease,
} from "../lib/server/core/memory_release.ts";
import { ConnectionTracker } from "../lib/server/core/connection_tracker.ts";
import { eventually } from "./helpers/eventually.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A release whose collections are only counted: `runs()` says how many. */
function countingRelease(minChurn: number, quietMs: number) {
  let runs = 0;
  const release = new MemoryRelease({
    minChurn,
    quietMs,
    collect: () => runs++,
  });
  return { release, runs: () => runs };
}

Deno.test("a wave of connections is followed by one collection once it is quiet", async () => {
  const { release, runs } = countingRelease(10, 300);
  try {
    for (let i = 0; i < 9; i++) release.changed();
    await sleep(400);
    assert.equal(runs(), 0, "below the wave size nothing runs");
    release.changed();
    // Still changing: every change within the quiet time defers it.
    for (let i = 0; i < 10; i++) {
      await sleep(40);
      release.changed();
    }
    assert.equal(runs(), 0, "not while connections keep coming");
    await eventually("the collection", () => Promise.resolve(runs() === 1));
    assert.equal(release.collections, 1);
    await sleep(400);
    assert.equal(runs(), 1, "one collection per wave");
  } finally {
    release.stop();
  }
});

Deno.test("requests still being served hold the collection back", async () => {
  const { release, runs } = countingRelease(1, 300);
  try {
    release.changed();
    for (let i = 0; i < 10; i++) {
      await sleep(40);
      release.served();
    }
    assert.equal(runs(), 0, "not while requests keep coming");
    await eventually("the collection", () => Promise.resolve(runs() === 1));
  } finally {
    release.stop();
  }
});

Deno.test("stop cancels a pending collection", async () => {
  const { release, runs } = countingRelease(1, 20);
  release.changed();
  release.stop();
  await sleep(60);
  assert.equal(runs(), 0);
});

Deno.test("the tracker reports every connection opened and closed, once", async () => {
  const { release, runs } = countingRelease(4, 20);
  const tracker = new ConnectionTracker(
    { headerMs: 10_000, idleMs: 10_000, sendMs: 10_000 },
    250,
    release,
  );
  try {
    const a = tracker.add(() => {});
    const b = tracker.add(() => {});
    tracker.remove(a);
    tracker.remove(a); // already gone: not a second close
    await sleep(60);
    assert.equal(runs(), 0, "three changes are not four");
    tracker.remove(b);
    await eventually("the collection", () => Promise.resolve(runs() === 1));
  } finally {
    tracker.stop();
  }
});

Deno.test("a full collection gives back the heap of dropped objects", () => {
  const collect = fullCollection();
  assert.ok(collect !== null, "Deno lets a program ask for a collection");
  let garbage: unknown[] | null = Array.from(
    { length: 300_000 },
    (_, i) => ({ i, s: `item ${i}` }),
  );
  const full = Deno.memoryUsage().heapUsed;
  assert.equal(garbage.length, 300_000);
  garbage = null;
  collect();
  const after = Deno.memoryUsage().heapUsed;
  assert.ok(
    full - after > 10 * 1024 * 1024,
    `heap went from ${full} to ${after} bytes`,
  );
});
