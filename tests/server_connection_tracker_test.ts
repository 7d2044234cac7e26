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
