import assert from "node:assert/strict";
import { LatencyHistogram, WireFormatError } from "../lib/thor/histogram.ts";

/** Deterministic PRNG (mulberry32) so a failure can be reproduced. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Latency data sets in ms, shaped like real runs and like bad ones. */
function dataSets(): Array<[string, number[]]> {
  const r = prng(42);
  const uniform = Array.from({ length: 50_000 }, () => r() * 20);
  // Long tail: most fast, a few very slow, like a stalling server.
  const tail = Array.from({ length: 80_000 }, () => 0.05 + r() ** 6 * 3000);
  const exponential = Array.from(
    { length: 60_000 },
    () => -Math.log(1 - r()) * 2,
  );
  const bimodal = Array.from(
    { length: 40_000 },
    () => r() < 0.9 ? 0.2 + r() * 0.1 : 200 + r() * 50,
  );
  const tiny = [0.0004, 0.7, 12.5, 0.001, 3];
  const constant = Array.from({ length: 1000 }, () => 5.25);
  return [
    ["uniform", uniform],
    ["long tail", tail],
    ["exponential", exponential],
    ["bimodal", bimodal],
    ["tiny", tiny],
    ["constant", constant],
  ];
}

/** What the histogram stores: whole microseconds, at least 1. */
function toUs(ms: number): number {
  return Math.max(1, Math.round(ms * 1000));
}

/** Nearest-rank percentile of sorted µs values. */
function exactPercentileUs(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p / 100 * sorted.length - 1e-7));
  return sorted[Math.min(rank, sorted.length) - 1] ?? 0;
}

const PERCENTILES = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100];

function histogramOf(values: number[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const v of values) h.recordMs(v);
  return h;
}

function assertClose(actual: number, expected: number, relative: number) {
  const tolerance = Math.max(Math.abs(expected) * relative, 1e-12);
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${actual} is not within ${relative} of ${expected}`,
  );
}

Deno.test("percentiles match exact sorting within 0.1% on random data sets", () => {
  for (const [name, values] of dataSets()) {
    const h = histogramOf(values);
    const sorted = values.map(toUs).sort((a, b) => a - b);
    assert.equal(h.count, values.length, name);
    for (const p of PERCENTILES) {
      const exact = exactPercentileUs(sorted, p);
      const got = Math.round(h.percentileMs(p) * 1000);
      // HDR reports the top of the bucket holding the exact value, so it
      // may be above but never below, by less than 1/1024 of the value.
      assert.ok(
        got >= exact && got <= exact * 1.001,
        `${name} p${p}: got ${got} µs, exact ${exact} µs`,
      );
    }
  }
});

Deno.test("min, max, mean and stdev are exact on random data sets", () => {
  for (const [name, values] of dataSets()) {
    const h = histogramOf(values);
    const us = values.map(toUs);
    const mean = us.reduce((a, b) => a + b, 0) / us.length;
    const variance = us.reduce((a, b) => a + (b - mean) ** 2, 0) / us.length;
    assert.equal(h.minMs(), Math.min(...us) / 1000, name);
    assert.equal(h.maxMs(), Math.max(...us) / 1000, name);
    assertClose(h.meanMs(), mean / 1000, 1e-9);
    assertClose(h.stdevMs(), Math.sqrt(variance) / 1000, 1e-6);
  }
});

Deno.test("merging two histograms equals one histogram of all samples", () => {
  const sets = dataSets();
  const [, first] = sets[1] ?? [];
  const [, second] = sets[3] ?? [];
  assert.ok(first && second);
  const a = histogramOf(first);
  const b = histogramOf(second);
  const all = histogramOf([...first, ...second]);
  a.merge(b);
  assert.equal(a.count, all.count);
  assert.equal(a.minMs(), all.minMs());
  assert.equal(a.maxMs(), all.maxMs());
  assertClose(a.meanMs(), all.meanMs(), 1e-9);
  assertClose(a.stdevMs(), all.stdevMs(), 1e-9);
  for (const p of PERCENTILES) {
    assert.equal(a.percentileMs(p), all.percentileMs(p), `p${p}`);
  }
  // The merged-in histogram is left as it was.
  assert.equal(b.count, second.length);
});

Deno.test("merging with an empty histogram changes nothing either way", () => {
  const values = [1, 2, 3, 400];
  const h = histogramOf(values);
  h.merge(new LatencyHistogram());
  assert.equal(h.count, 4);
  assert.equal(h.minMs(), 1);
  const empty = new LatencyHistogram();
  empty.merge(h);
  assert.equal(empty.count, 4);
  assert.equal(empty.minMs(), 1);
  assert.equal(empty.maxMs(), 400);
  assert.equal(empty.meanMs(), h.meanMs());
  assert.equal(empty.percentileMs(50), h.percentileMs(50));
});

Deno.test("serialize then deserialize gives back an equal histogram", () => {
  for (const [name, values] of dataSets()) {
    const h = histogramOf(values);
    const text = h.serialize();
    assert.ok(!/[\r\n]/.test(text), "single line");
    const back = LatencyHistogram.deserialize(text);
    assert.equal(back.count, h.count, name);
    assert.equal(back.minMs(), h.minMs(), name);
    assert.equal(back.maxMs(), h.maxMs(), name);
    assert.equal(back.meanMs(), h.meanMs(), name);
    assert.equal(back.stdevMs(), h.stdevMs(), name);
    for (const p of PERCENTILES) {
      assert.equal(back.percentileMs(p), h.percentileMs(p), `${name} p${p}`);
    }
    // A second trip (what a re-merged child result goes through) too.
    const again = LatencyHistogram.deserialize(back.serialize());
    assert.equal(again.count, h.count, name);
    assert.equal(again.percentileMs(99), h.percentileMs(99), name);
  }
});

Deno.test("a deserialized histogram keeps recording and merging beyond its range", () => {
  const back = LatencyHistogram.deserialize(histogramOf([0.5, 1]).serialize());
  back.recordMs(60_000);
  back.merge(histogramOf([3_600_000]));
  assert.equal(back.count, 4);
  assert.equal(back.maxMs(), 3_600_000);
  assert.equal(back.percentileMs(100), 3_600_000);
  assert.ok(back.percentileMs(75) >= 60_000);
});

Deno.test("ten million records keep memory flat and drop nothing", () => {
  const h = new LatencyHistogram();
  const r = prng(7);
  const record = (n: number) => {
    for (let i = 0; i < n; i++) h.recordMs(0.05 + r() * r() * 500);
  };
  record(1_000_000);
  const heapBefore = Deno.memoryUsage().heapUsed;
  const sizeBefore = h.serialize().length;
  record(9_000_000);
  const heapAfter = Deno.memoryUsage().heapUsed;
  assert.equal(h.count, 10_000_000);
  // Keeping samples would need at least 72 MB for 9 million more.
  assert.ok(
    heapAfter - heapBefore < 24e6,
    `heap grew by ${heapAfter - heapBefore} bytes`,
  );
  // The encoded form only grows with distinct buckets, not with samples.
  assert.ok(h.serialize().length < sizeBefore * 2 + 1024);
  assert.ok(h.percentileMs(50) > 0);
});

Deno.test("an empty histogram reports zeros everywhere", () => {
  const h = new LatencyHistogram();
  assert.equal(h.count, 0);
  assert.equal(h.minMs(), 0);
  assert.equal(h.maxMs(), 0);
  assert.equal(h.meanMs(), 0);
  assert.equal(h.stdevMs(), 0);
  for (const p of PERCENTILES) assert.equal(h.percentileMs(p), 0);
  assert.deepEqual(h.distribution(8), []);
  const back = LatencyHistogram.deserialize(h.serialize());
  assert.equal(back.count, 0);
  assert.equal(back.minMs(), 0);
  assert.equal(back.percentileMs(99), 0);
});

Deno.test("sub-microsecond, zero and negative latencies clamp to 1 µs", () => {
  const h = histogramOf([0.0004, 0, -3, 0.0001]);
  assert.equal(h.count, 4);
  assert.equal(h.minMs(), 0.001);
  assert.equal(h.maxMs(), 0.001);
  assert.equal(h.meanMs(), 0.001);
  assert.equal(h.stdevMs(), 0);
  assert.equal(h.percentileMs(0), 0.001);
  assert.equal(h.percentileMs(100), 0.001);
});

Deno.test("fractional milliseconds are kept to the microsecond", () => {
  const h = histogramOf([1.2344, 1.2346]);
  assert.equal(h.minMs(), 1.234);
  assert.equal(h.maxMs(), 1.235);
});

Deno.test("a non-finite latency or a bad percentile is refused", () => {
  const h = histogramOf([1]);
  for (const bad of [NaN, Infinity, -Infinity, 1e12]) {
    assert.throws(() => h.recordMs(bad), RangeError);
  }
  assert.equal(h.count, 1);
  for (const bad of [-1, 100.1, NaN]) {
    assert.throws(() => h.percentileMs(bad), RangeError);
  }
});

Deno.test("distribution bins cover min to max and count every sample", () => {
  const h = histogramOf([
    ...Array.from({ length: 10 }, () => 1),
    ...Array.from({ length: 30 }, () => 100),
  ]);
  const two = h.distribution(2);
  assert.deepEqual(two.map((b) => b.count), [10, 30]);
  assert.equal(two[0]?.fromMs, 1);
  assert.equal(two[1]?.toMs, 100);
  assert.equal(two[0]?.toMs, two[1]?.fromMs);
  const many = histogramOf(dataSets()[1]?.[1] ?? []).distribution(8);
  assert.equal(many.length, 8);
  assert.equal(many.reduce((a, b) => a + b.count, 0), 80_000);
  // One distinct value: a single bin.
  assert.deepEqual(histogramOf([2, 2]).distribution(8), [
    { fromMs: 2, toMs: 2, count: 2 },
  ]);
  assert.throws(() => h.distribution(0), RangeError);
});

Deno.test("a malformed serialized histogram is refused with a clear error", () => {
  const good = histogramOf([1, 2, 3]).serialize();
  const [tag, , min, max, mean, m2, hdr] = good.split(" ");
  const cases = [
    "",
    "garbage",
    good.replace(/^h1/, "h9"),
    `${tag} 4 ${min} ${max} ${mean} ${m2} ${hdr}`, // count mismatch
    `${tag} 3 ${max} ${min} ${mean} ${m2} ${hdr}`, // min above max
    `${tag} 3 ${min} ${max} ${mean} -1 ${hdr}`,
    `${tag} 3 ${min} ${max} ${mean} ${m2} !!notbase64!!`,
    `${tag} 3 ${min} ${max} ${mean} ${m2} AAAAAAAA`,
    `${tag} x ${min} ${max} ${mean} ${m2} ${hdr}`,
    `${good} extra`,
    `${tag} 3 ${min}  ${mean} ${m2} ${hdr}`, // empty field
  ];
  for (const bad of cases) {
    assert.throws(
      () => LatencyHistogram.deserialize(bad),
      (error: unknown) => {
        assert.ok(error instanceof WireFormatError, bad);
        assert.equal(error.code, "BAD_HISTOGRAM");
        assert.match(error.message, /^Serialized histogram is invalid: /);
        return true;
      },
    );
  }
});
