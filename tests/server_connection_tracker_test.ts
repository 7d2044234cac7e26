import assert from "node:assert/strict";
import { ConnectionTracker } from "../lib/server/core/connection_tracker.ts";

const TIMEOUTS = { headerMs: 1000, idleMs: 2000, sendMs: 3000 };

/** A tracker whose timer never fires on its own, and what it expired. */
function setup() {
  const tracker = new ConnectionTracker(TIMEOUTS, 60_000);
  const expired: string[] = [];
  const track = (name: string) =>
    tracker.add((inHead) => expired.push(`${name}${inHead ? ":head" : ""}`));
  return { tracker, expired, track };
}

Deno.test("connection tracker: a restarted timeout counts from the next sweep, never earlier", () => {
  const { tracker, expired, track } = setup();
  try {
    const c = track("a");
    tracker.idle(c);
    tracker.sweep(10_000); // sets the idle deadline: 12,000
    assert.deepEqual(expired, []);
    tracker.sweep(11_999);
    assert.deepEqual(expired, []);
    tracker.sweep(12_000);
    assert.deepEqual(expired, ["a"]);
    assert.equal(tracker.size, 0);
  } finally {
    tracker.stop();
  }
});

Deno.test("connection tracker: the last phase before a sweep decides the timeout", () => {
  const { tracker, expired, track } = setup();
  try {
    const c = track("b");
    tracker.idle(c);
    tracker.head(c); // header timeout, and a 408 when it passes
    tracker.sweep(0);
    tracker.sweep(999);
    assert.deepEqual(expired, []);
    tracker.sweep(1000);
    assert.deepEqual(expired, ["b:head"]);
  } finally {
    tracker.stop();
  }
});

Deno.test("connection tracker: progress pushes the send deadline, suspend removes it", () => {
  const { tracker, expired, track } = setup();
  try {
    const c = track("c");
    tracker.busy(c);
    tracker.sweep(0); // deadline 3000
    tracker.progress(c);
    tracker.sweep(2500); // deadline 5500
    tracker.sweep(5000);
    assert.deepEqual(expired, []);
    tracker.progress(c);
    tracker.suspend(c); // a body read with its own deadline
    tracker.sweep(1e9);
    assert.deepEqual(expired, []);
    tracker.progress(c);
    tracker.sweep(1e9);
    tracker.sweep(1e9 + 3000);
    assert.deepEqual(expired, ["c"]);
  } finally {
    tracker.stop();
  }
});

Deno.test("connection tracker: a new connection's header deadline holds from add", () => {
  // Nothing arrived yet: closed without a 408.
  const { tracker, expired, track } = setup();
  try {
    track("d");
    tracker.sweep(performance.now() + 1000);
    assert.deepEqual(expired, ["d"]);
  } finally {
    tracker.stop();
  }
});

/** Counts reads of a connection's deadline fields, as a sweep makes them. */
function countReads(c: { deadline: number; restarted: number }): () => number {
  let reads = 0;
  for (const key of ["deadline", "restarted"] as const) {
    let value = c[key];
    Object.defineProperty(c, key, {
      get: () => {
        reads++;
        return value;
      },
      set: (v: number) => value = v,
    });
  }
  return () => reads;
}

Deno.test("connection tracker: a sweep leaves alone the connections that neither changed nor are due", () => {
  const { tracker, expired, track } = setup();
  try {
    const idle = Array.from({ length: 1000 }, (_, i) => track(`idle${i}`));
    for (const c of idle) tracker.idle(c);
    tracker.sweep(10_000); // idle deadlines: 12,000
    const reads = idle.map(countReads);
    const busy = track("busy");
    for (let t = 10_250; t < 12_000; t += 250) {
      tracker.busy(busy);
      tracker.sweep(t);
    }
    assert.equal(reads.reduce((sum, read) => sum + read(), 0), 0);
    assert.deepEqual(expired, []);
    tracker.sweep(12_000);
    assert.equal(expired.length, 1000);
    assert.equal(tracker.size, 1);
  } finally {
    tracker.stop();
  }
});

Deno.test("connection tracker: deadlines far apart expire in order, however long between sweeps", () => {
  const { tracker, expired, track } = setup();
  try {
    const [a, b, c] = [track("a"), track("b"), track("c")];
    tracker.idle(a); // 2000 after the sweep
    tracker.busy(b); // 3000
    tracker.head(c); // 1000
    tracker.sweep(50_000);
    tracker.sweep(51_000);
    assert.deepEqual(expired, ["c:head"]);
    tracker.sweep(52_500);
    assert.deepEqual(expired, ["c:head", "a"]);
    tracker.sweep(1e12); // past every filed period at once
    assert.deepEqual(expired, ["c:head", "a", "b"]);
    const d = track("d");
    tracker.idle(d);
    tracker.sweep(1e12); // idle deadline: 1e12 + 2000
    tracker.sweep(1e12 + 1999);
    assert.deepEqual(expired, ["c:head", "a", "b"]);
    tracker.sweep(1e12 + 2000);
    assert.deepEqual(expired, ["c:head", "a", "b", "d"]);
    assert.equal(tracker.size, 0);
  } finally {
    tracker.stop();
  }
});

Deno.test("connection tracker: a connection closed before its deadline is never expired", () => {
  const { tracker, expired, track } = setup();
  try {
    const a = track("a");
    tracker.idle(a);
    tracker.sweep(0);
    tracker.remove(a);
    const b = track("b");
    tracker.busy(b);
    tracker.remove(b); // closed before a sweep filed its new deadline
    tracker.sweep(1e9);
    assert.deepEqual(expired, []);
    assert.equal(tracker.size, 0);
  } finally {
    tracker.stop();
  }
});
