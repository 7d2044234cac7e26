import assert from "node:assert/strict";
import {
  MAX_ROWS,
  PerSecond,
  PerSecondWireError,
} from "../lib/thor/per_second.ts";
import { RunStats } from "../lib/thor/run_stats.ts";

Deno.test("per-second percentiles are nearest rank, at most 1/32 above", () => {
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
    assert.ok(got <= exact * (1 + 1 / 32), `p${p} ${got} vs ${exact}`);
  }
  // Below 64 µs every value has its own bucket.
  const small = new PerSecond();
  small.recordResponse(0, 50);
  assert.equal(small.rows()[0]?.p99Ms, 0.05);
});

Deno.test("seconds fill gaps, and rows pad to the run's length", () => {
  const ps = new PerSecond();
  ps.recordResponse(2, 50);
  ps.recordError(0);
  assert.deepEqual(ps.rows(4), [
    { second: 0, requests: 0, errors: 1, p50Ms: null, p99Ms: null },
    { second: 1, requests: 0, errors: 0, p50Ms: null, p99Ms: null },
    { second: 2, requests: 1, errors: 0, p50Ms: 0.05, p99Ms: 0.05 },
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
  stats.recordResponse(200, 0.05, 10);
  stats.recordError("read");
  const rows = stats.perSecond.rows();
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[2], {
    second: 2,
    requests: 1,
    errors: 1,
    p50Ms: 0.05,
    p99Ms: 0.05,
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

Deno.test("a day-long run keeps a bounded record, percentiles within 1/32", () => {
  const ps = new PerSecond();
  const seconds = 100_000;
  // Latencies spread over 0.1-20 ms, as a loaded server's are.
  let seed = 1;
  const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const lastValues: number[] = [];
  for (let second = 0; second < seconds; second++) {
    for (let i = 0; i < 20; i++) {
      const us = Math.round(100 * 200 ** next());
      ps.recordResponse(second, us);
      if (second >= seconds - ps.width) lastValues.push(us);
    }
  }
  assert.ok(ps.length <= MAX_ROWS, `${ps.length} rows`);
  assert.equal(ps.requests, seconds * 20);
  const wire = JSON.stringify(ps.toWire());
  // 1024 rows of at most ~250 buckets each, whatever the run's length.
  assert.ok(wire.length < 4_000_000, `${wire.length} bytes`);
  const back = PerSecond.fromWire(JSON.parse(wire));
  assert.equal(back.requests, seconds * 20);
  assert.equal(back.width, ps.width);
  // The last row's percentiles stay within the stated error of the exact
  // values of the seconds it holds.
  const row = ps.rows().at(-1);
  const width = ps.width;
  const values: number[] = [];
  seed = 1;
  for (let second = 0; second < seconds; second++) {
    for (let i = 0; i < 20; i++) {
      const us = Math.round(100 * 200 ** next());
      if (second >= (ps.length - 1) * width) values.push(us);
    }
  }
  values.sort((a, b) => a - b);
  assert.ok(row);
  assert.equal(row.requests, values.length);
  for (const [p, got] of [[50, row.p50Ms], [99, row.p99Ms]] as const) {
    const exact = values[Math.ceil(p / 100 * values.length) - 1]! / 1000;
    assert.ok(got !== null && got >= exact, `p${p} ${got} < ${exact}`);
    assert.ok(got <= exact * (1 + 1 / 32), `p${p} ${got} vs ${exact}`);
  }
  assert.ok(lastValues.length > 0);
});

Deno.test("merging records of different row widths adds by second", () => {
  const long = new PerSecond();
  for (let s = 0; s < 3000; s++) long.recordResponse(s, 10);
  const short = new PerSecond();
  short.recordResponse(1, 10);
  short.recordError(2999);
  const merged = new PerSecond();
  merged.merge(short);
  merged.merge(long);
  assert.equal(merged.width, long.width);
  assert.equal(merged.requests, 3001);
  assert.equal(merged.errors, 1);
  assert.equal(merged.rows()[0]?.requests, long.rows()[0]!.requests + 1);
});

Deno.test("the first wire form (a plain array, 128 sub-buckets) still reads", () => {
  // Bucket 500 of 128 sub-buckets tops at 979 µs: now the one up to 991.
  const ps = PerSecond.fromWire([[2, 1, [[100, 1], [500, 1]]]]);
  assert.deepEqual(ps.rows(), [
    { second: 0, requests: 2, errors: 1, p50Ms: 0.101, p99Ms: 0.991 },
  ]);
});
