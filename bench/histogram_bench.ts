/**
 * Recording latencies: thor's HDR histogram against keeping every sample
 * in an array and sorting it for percentiles (what tools without a
 * histogram do), for 100,000 samples.
 *
 * @module
 */

import { LatencyHistogram } from "../lib/thor/histogram.ts";

const samples = Array.from(
  { length: 100_000 },
  (_, i) => 0.2 + ((i * 7919) % 5000) / 1000,
);

Deno.bench("array of samples + sort for p50/p99", {
  group: "latency percentiles",
  baseline: true,
}, () => {
  const all: number[] = [];
  for (const s of samples) all.push(s);
  all.sort((a, b) => a - b);
  if (
    all[Math.floor(all.length * 0.99)]! < all[Math.floor(all.length * 0.5)]!
  ) {
    throw new Error("unreachable");
  }
});

Deno.bench("LatencyHistogram record + p50/p99", {
  group: "latency percentiles",
}, () => {
  const h = new LatencyHistogram();
  for (const s of samples) h.recordMs(s);
  if (h.percentileMs(99) < h.percentileMs(50)) throw new Error("unreachable");
});
