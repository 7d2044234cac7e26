import assert from "node:assert/strict";
import { PerSecond, PerSecondWireError } from "../lib/thor/per_second.ts";
import { RunStats } from "../lib/thor/run_stats.ts";

Deno.test("per-second percentiles are nearest rank, at most 1/128 above", () => {
  const ps = new PerSecond();
  const values: number[] = [];
  for (let i = 1; i <= 1000; i++) {
    const us = Math.round(37 * i ** 1.7);
    values.push(us);
    ps.recordResponse(0, us);
  }
  values.sort((a, b) => a - b);
  const [row] = ps.rows();
  assert.ok(row);
  for (const [p, got] of [[50, row.p50Ms], [99, row.p99Ms]] as const) {
    const exact = values[Math.ceil(p / 100 * values.length) - 1]! / 1000;
    assert.ok(got !== null && got >= exact, `p${p} ${got} < ${exact}`);
    assert.ok(got <= exact * (1 + 1 / 128), `p${p} ${got} vs ${exact}`);
  }
  // Below 256 µs every value has its own bucket.
  const small = new PerSecond();
  small.recordResponse(0, 200);
  assert.equal(small.rows()[0]?.p99Ms, 0.2);
});

Deno.test("seconds fill gaps, and rows pad to the run's length", () => {
  const ps = new PerSecond();
  ps.recordResponse(2, 100);
  ps.recordError(0);
  assert.deepEqual(ps.rows(4), [
    { second: 0, requests: 0, errors: 1, p50Ms: null, p99Ms: null },
    { second: 1, requests: 0, errors: 0, p50Ms: null, p99Ms: null },
    { second: 2, requests: 1, errors: 0, p50Ms: 0.1, p99Ms: 0.1 },
    { second: 3, requests: 0, errors: 0, p50Ms: null, p99Ms: null },
  ]);
});

Deno.test("merging per-second records equals recording everything in one", () => {
  const a = new PerSecond();
  const b = new PerSecond();
  const all = new PerSecond();
  for (let i = 0; i < 500; i++) {
    const second = i % 3;
    const us = 100 + i * 977;
    (i % 2 ? a : b).recordResponse(second + (i % 2), us);
    all.recordResponse(second + (i % 2), us);
    if (i % 7 === 0) {
      (i % 2 ? b : a).recordError(second);
      all.recordError(second);
    }
  }
  const merged = new PerSecond();
  merged.merge(a);
  merged.merge(b);
  assert.deepEqual(merged.rows(), all.rows());
  assert.deepEqual(merged.toWire(), all.toWire());
  assert.deepEqual(PerSecond.fromWire(merged.toWire()).rows(), all.rows());
});

Deno.test("fromWire rejects malformed per-second data", () => {
  for (
    const bad of [
      {},
      [[1, 0]],
      [[1, 0, [[5, 2]]]],
      [[-1, 0, []]],
      [[1, 0, [[0, 1]]]],
      [[2, 0, [[5, 1], [5, 1]]]],
    ]
  ) {
    assert.throws(() => PerSecond.fromWire(bad), PerSecondWireError);
  }
});

Deno.test("RunStats files requests under the second they end in", () => {
  const stats = new RunStats();
  stats.startClock(performance.now() - 2500);
  stats.recordResponse(200, 0.25, 10);
  stats.recordError("read");
  const rows = stats.perSecond.rows();
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[2], {
    second: 2,
    requests: 1,
    errors: 1,
    p50Ms: 0.25,
    p99Ms: 0.25,
  });
  const back = RunStats.fromWire(stats.toWire());
  assert.deepEqual(back.perSecond.rows(), rows);
  const merged = RunStats.merged([stats, back]);
  assert.equal(merged.perSecond.rows()[2]?.requests, 2);
  assert.equal(merged.perSecond.rows()[2]?.errors, 2);
});

Deno.test("a stats line whose seconds count more than its totals is refused", () => {
  const stats = new RunStats();
  stats.recordResponse(200, 1, 1);
  const wire = JSON.parse(stats.toWire());
  wire.seconds = [[2, 0, [[1000, 2]]]];
  assert.throws(
    () => RunStats.fromWire(JSON.stringify(wire)),
    /counts more requests than the totals/,
  );
  wire.seconds = [[1, 0, [[1000, 2]]]];
  assert.throws(
    () => RunStats.fromWire(JSON.stringify(wire)),
    /Stats line is invalid: second 0 is invalid/,
  );
});
