import assert from "node:assert/strict";
import {
  computeRttStats,
  formatPercent,
  formatPingSummary,
  summarizePings,
} from "../lib/sockets/ping_stats.ts";
import { createSeededRandom } from "../lib/common/seeded_random.ts";

Deno.test("rtt statistics: min, mean, max and population stddev", () => {
  assert.equal(computeRttStats([]), null);
  assert.deepEqual(computeRttStats([5]), { min: 5, avg: 5, max: 5, stddev: 0 });
  const s = computeRttStats([2, 4, 4, 4, 5, 5, 7, 9])!;
  assert.equal(s.min, 2);
  assert.equal(s.max, 9);
  assert.equal(s.avg, 5);
  assert.equal(s.stddev, 2);
});

Deno.test("the summary counts loss against transmitted pings", () => {
  const s = summarizePings(3, [1, 2], 1, 0);
  assert.equal(s.received, 2);
  assert.equal(formatPercent(s.lossPercent), "33.3");
  assert.equal(summarizePings(0, [], 0, 0).lossPercent, 0);
  assert.equal(
    formatPingSummary("127.0.0.1:9", s, 2003.4),
    "--- 127.0.0.1:9 UDP ping statistics ---\n" +
      "3 packets transmitted, 2 received, 1 late, 33.3% packet loss, time 2003ms\n" +
      "rtt min/avg/max/stddev = 1.000/1.500/2.000/0.500 ms",
  );
  assert.equal(
    formatPingSummary("h:1", summarizePings(2, [], 0, 0), 10),
    "--- h:1 UDP ping statistics ---\n" +
      "2 packets transmitted, 0 received, 100% packet loss, time 10ms",
  );
});

Deno.test("the seeded generator repeats per seed and spreads over [0, 1)", () => {
  const a = createSeededRandom(42);
  const b = createSeededRandom(42);
  const c = createSeededRandom(43);
  const first = Array.from({ length: 5 }, () => a());
  assert.deepEqual(first, Array.from({ length: 5 }, () => b()));
  assert.notDeepEqual(first, Array.from({ length: 5 }, () => c()));
  const random = createSeededRandom(7);
  let below = 0;
  for (let i = 0; i < 10_000; i++) {
    const r = random();
    assert.ok(r >= 0 && r < 1);
    if (r < 0.3) below++;
  }
  assert.ok(below > 2700 && below < 3300, `${below} of 10000 below 0.3`);
});
