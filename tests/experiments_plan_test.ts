import assert from "node:assert/strict";
import { CONFIGS } from "../experiments/measure/configs.ts";
import { PARTS } from "../experiments/data/study_row.ts";
import {
  buildPlan,
  FULL_PROFILE,
  parseParts,
  QUICK_PROFILE,
  sizeLabel,
  workloadFor,
} from "../experiments/measure/plan.ts";
import { plannedSeconds } from "../experiments/measure/progress.ts";
import { thorArgs, thorDeadlineS } from "../experiments/measure/run_point.ts";
import { StudyError } from "../experiments/data/errors.ts";

Deno.test("the full study covers the four questions and stays within its time budget", () => {
  const points = buildPlan(FULL_PROFILE, PARTS);
  const count = (part: string) => points.filter((p) => p.part === part).length;
  // 3 modes × 3 request types × 2 connection counts × 3 repetitions.
  assert.equal(count("latency"), 54);
  assert.equal(count("throughput"), 27);
  // 5 configurations × 7 connection counts × 3 repetitions.
  assert.equal(count("concurrency"), 105);
  assert.deepEqual(
    [
      ...new Set(
        points.filter((p) => p.part === "concurrency").map((p) =>
          p.concurrency
        ),
      ),
    ],
    [1, 2, 4, 8, 16, 32, 64],
  );
  const planned = points.reduce((a, p) => a + plannedSeconds(p), 0);
  assert.ok(planned > 8 * 60 && planned < 20 * 60, `planned ${planned} s`);
});

Deno.test("every point is bounded in time and nginx is never asked for CGI", () => {
  for (const profile of [FULL_PROFILE, QUICK_PROFILE]) {
    for (const point of buildPlan(profile, PARTS)) {
      assert.ok(point.timeoutS > 0);
      assert.ok((point.durationS ?? 0) > 0 || (point.requests ?? 0) > 0);
      assert.ok(
        !(point.config.server === "nginx" && point.workload.kind === "cgi"),
      );
      const args = thorArgs(point, 8080);
      assert.ok(args.includes("--timeout") && args.includes("--json"));
      assert.ok(args.includes("-d") !== args.includes("-r"));
      assert.ok(thorDeadlineS(point) > (point.durationS ?? 0) + point.timeoutS);
    }
  }
});

Deno.test("the quick profile touches every configuration and part in well under two minutes", () => {
  const points = buildPlan(QUICK_PROFILE, PARTS);
  assert.deepEqual(
    new Set(points.map((p) => p.config.name)),
    new Set(Object.keys(CONFIGS)),
  );
  assert.deepEqual(new Set(points.map((p) => p.part)), new Set(PARTS));
  const planned = points.reduce((a, p) => a + plannedSeconds(p), 0);
  assert.ok(planned < 60, `planned ${planned} s`);
  assert.ok(QUICK_PROFILE.sizes.large < 2 * 1024 * 1024);
});

Deno.test("large files are fetched by count, the rest by time", () => {
  const points = buildPlan(FULL_PROFILE, ["throughput"]);
  const large = points.find((p) => p.workload.name === "large")!;
  assert.equal(large.durationS, null);
  assert.equal(large.requests, large.concurrency);
  assert.deepEqual(thorArgs(large, 9000), [
    "-p",
    "1",
    "-c",
    "4",
    "-r",
    "4",
    "--timeout",
    "120",
    "--json",
    "http://127.0.0.1:9000/large.bin",
  ]);
  assert.equal(workloadFor(FULL_PROFILE, "large").sizeLabel, "1 GiB");
});

Deno.test("parseParts accepts a comma list and names the valid parts on a typo", () => {
  assert.deepEqual(parseParts(""), [...PARTS]);
  assert.deepEqual(parseParts("peers, latency,peers"), ["peers", "latency"]);
  assert.throws(() => parseParts("latency,speed"), (err: unknown) => {
    assert.ok(err instanceof StudyError);
    assert.equal(err.code, "USAGE");
    assert.match(
      err.message,
      /Unknown part "speed" \(use latency, throughput, concurrency, peers\)/,
    );
    return true;
  });
});

Deno.test("sizeLabel writes binary sizes", () => {
  assert.equal(sizeLabel(1024), "1 KiB");
  assert.equal(sizeLabel(64 * 1024), "64 KiB");
  assert.equal(sizeLabel(1024 ** 3), "1 GiB");
  assert.equal(sizeLabel(1000), "1000 B");
});
