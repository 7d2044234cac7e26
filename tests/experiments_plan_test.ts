import assert from "node:assert/strict";
import { CONFIGS } from "../experiments/configs.ts";
import {
  buildPlan,
  FULL_PROFILE,
  parseParts,
  PARTS,
  QUICK_PROFILE,
  sizeLabel,
  workloadFor,
} from "../experiments/plan.ts";
import {
  counter,
  formatDuration,
  plannedSeconds,
  StudyProgress,
} from "../experiments/progress.ts";
import { studyRow, thorArgs, thorDeadlineS } from "../experiments/run_point.ts";
import { mergeRows } from "../experiments/study.ts";
import { StudyError } from "../experiments/errors.ts";
import { parseThorSummary } from "../experiments/thor_summary.ts";

const THOR_JSON = JSON.stringify({
  requests: 12,
  completed: 10,
  ok: 9,
  status: { "200": 9, "404": 1 },
  errors: { connect: 0, timeout: 2, read: 0 },
  bytes: 12000,
  elapsed_s: 1.5,
  rps: 6.67,
  mbps: 0.008,
  connections: 3,
  latency_ms: {
    min: 1,
    mean: 2,
    stdev: 0.5,
    p50: 1.9,
    p90: 2.5,
    p99: 3,
    p999: 3,
    max: 3.1,
  },
});

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

Deno.test("a thor summary becomes one CSV row with errors and non-2xx counted", () => {
  const point = buildPlan(FULL_PROFILE, ["latency"])[0]!;
  const row = studyRow(point, parseThorSummary(THOR_JSON), {
    profile: "full",
    machine: {
      cpuModel: "cpu",
      cores: 2,
      memGib: 4,
      kernel: "k",
      denoVersion: "2.9.6",
    },
    thorVersion: "thor 1",
    serverVersion: "spidey 1",
    serverCpus: "0",
    clientCpus: "1",
    load1: 0.3,
    cpuBusyPct: 4.5,
    timestamp: new Date("2026-01-02T03:04:05Z"),
  });
  assert.equal(row.config, "spidey-single");
  assert.equal(row.errors, 2);
  assert.equal(row.error_detail, "timeout:2");
  assert.equal(row.non_2xx, 1);
  assert.equal(row.lat_p99_ms, 3);
  assert.equal(row.cpu_busy_pct, 4.5);
  assert.equal(row.duration_s, 3);
  assert.equal(row.request_limit, 0);
  assert.equal(row.timestamp, "2026-01-02T03:04:05.000Z");
});

Deno.test("parseThorSummary names what is missing from thor's output", () => {
  assert.throws(
    () => parseThorSummary("thor: connection refused"),
    /printed no JSON summary/,
  );
  const broken = JSON.parse(THOR_JSON);
  delete broken.latency_ms.p99;
  assert.throws(
    () => parseThorSummary(JSON.stringify(broken)),
    /no number latency_ms\.p99/,
  );
});

Deno.test("mergeRows keeps the other parts of the same profile and replaces the rerun ones", () => {
  const old = [
    { profile: "full", part: "latency", id: 1 },
    { profile: "full", part: "peers", id: 2 },
    { profile: "quick", part: "peers", id: 3 },
  ];
  const fresh = [{ profile: "full", part: "latency", id: 4 }];
  assert.deepEqual(
    mergeRows(old, fresh, ["latency"], "full").map((r) => r.id),
    [2, 4],
  );
});

Deno.test("progress estimates what is left from the pace so far", () => {
  const points = buildPlan(QUICK_PROFILE, ["latency"]);
  const progress = new StudyProgress(points, 0);
  const each = plannedSeconds(points[0]!);
  assert.equal(progress.total, 9);
  assert.ok(Math.abs(progress.etaSeconds(0) - 9 * each) < 1e-9);
  progress.finishOne();
  progress.finishOne();
  progress.finishOne();
  // Three runs took twice their plan, so the six left are expected to as well.
  assert.ok(Math.abs(progress.etaSeconds(6 * each * 1000) - 12 * each) < 1e-6);
  assert.equal(counter(3, 171), "[  3/171]");
  assert.equal(formatDuration(42), "42s");
  assert.equal(formatDuration(125), "2m05s");
  assert.equal(formatDuration(3725), "1h02m");
});
