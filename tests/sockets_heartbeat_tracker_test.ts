import assert from "node:assert/strict";
import {
  formatSeqRanges,
  HeartbeatTracker,
} from "../lib/sockets/heartbeat_tracker.ts";
import { formatBeat, parseBeat } from "../lib/sockets/heartbeat_protocol.ts";

const encoder = new TextEncoder();

function kinds(tracker: HeartbeatTracker, seqs: number[]): string[] {
  return seqs.map((seq) => tracker.record(seq, 1).kind);
}

Deno.test("in-order beats: nothing lost, delays summarised", () => {
  const tracker = new HeartbeatTracker();
  tracker.record(1, 2);
  tracker.record(2, 4);
  tracker.record(3, 6);
  const s = tracker.summary();
  assert.equal(s.received, 3);
  assert.equal(s.lost, 0);
  assert.equal(s.reordered, 0);
  assert.equal(s.duplicates, 0);
  assert.deepEqual(s.delay, { min: 2, avg: 4, max: 6 });
  assert.equal(s.firstSeq, 1);
  assert.equal(s.lastSeq, 3);
});

Deno.test("a gap is reported with its range and counted lost", () => {
  const tracker = new HeartbeatTracker();
  tracker.record(1, 0);
  const event = tracker.record(5, 0);
  assert.equal(event.kind, "gap");
  assert.deepEqual(event.missing, { from: 2, to: 4 });
  assert.equal(tracker.summary().lost, 3);
});

Deno.test("a late beat fills its gap and counts as reordered", () => {
  const tracker = new HeartbeatTracker();
  assert.deepEqual(kinds(tracker, [1, 2, 3, 5, 6, 4, 8]), [
    "first",
    "in-order",
    "in-order",
    "gap",
    "in-order",
    "reordered",
    "gap",
  ]);
  const s = tracker.summary();
  assert.equal(s.received, 7);
  assert.equal(s.lost, 1);
  assert.deepEqual(s.lostRanges, [{ from: 7, to: 7 }]);
  assert.equal(s.reordered, 1);
});

Deno.test("filling the middle of a gap splits it", () => {
  const tracker = new HeartbeatTracker();
  kinds(tracker, [1, 10, 5, 2, 9]);
  const s = tracker.summary();
  assert.deepEqual(s.lostRanges, [{ from: 3, to: 4 }, { from: 6, to: 8 }]);
  assert.equal(s.lost, 5);
  assert.equal(s.reordered, 3);
});

Deno.test("repeats are duplicates, and a beat before the first is reordered", () => {
  const tracker = new HeartbeatTracker();
  assert.deepEqual(kinds(tracker, [5, 6, 6, 5, 3]), [
    "first",
    "in-order",
    "duplicate",
    "duplicate",
    "reordered",
  ]);
  const s = tracker.summary();
  assert.equal(s.duplicates, 2);
  assert.equal(s.received, 3);
  assert.equal(s.firstSeq, 3);
  assert.deepEqual(s.lostRanges, [{ from: 4, to: 4 }]);
  assert.equal(s.lost, 1);
});

Deno.test("seq ranges print compactly and stop at the limit", () => {
  assert.equal(
    formatSeqRanges([{ from: 3, to: 5 }, { from: 7, to: 7 }]),
    "3-5, 7",
  );
  const many = Array.from(
    { length: 12 },
    (_, i) => ({ from: i * 2, to: i * 2 }),
  );
  assert.equal(formatSeqRanges(many, 3), "0, 2, 4, …");
});

Deno.test("a beat is '<seq> <ms>' and junk is refused", () => {
  assert.equal(formatBeat(4, 1700000000000.25), "4 1700000000000.250");
  assert.deepEqual(parseBeat(encoder.encode("4 1700000000000.250")), {
    seq: 4,
    sentMs: 1700000000000.25,
  });
  assert.deepEqual(parseBeat(encoder.encode("12 1700000000000\n")), {
    seq: 12,
    sentMs: 1700000000000,
  });
  assert.equal(parseBeat(encoder.encode("x 1")), null);
  assert.equal(parseBeat(encoder.encode("1")), null);
  assert.equal(parseBeat(encoder.encode("-1 5")), null);
  assert.equal(parseBeat(new Uint8Array(100).fill(0x31)), null);
});
