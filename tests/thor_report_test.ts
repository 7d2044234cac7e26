import assert from "node:assert/strict";
import {
  formatTextReport,
  phasesJson,
  type ReportMeta,
  reportNotes,
  summaryJson,
} from "../lib/thor/report.ts";
import { RunStats } from "../lib/thor/run_stats.ts";

const META: ReportMeta = {
  url: "http://127.0.0.1:8080/index.html",
  method: "GET",
  processes: 2,
  connectionsPerProcess: 25,
  mode: "duration",
};

/**
 * 1000 responses at 1 µs … 1000 µs: below 2048 µs HDR is exact, so every
 * figure is known in advance. Plus 3 errors, 2 s, 1.5 MB.
 */
function knownStats(corrected = false): RunStats {
  const stats = new RunStats();
  for (let i = 1; i <= 1000; i++) {
    const status = i <= 900 ? 200 : i <= 950 ? 304 : i <= 990 ? 404 : 503;
    stats.recordResponse(
      status,
      i / 1000,
      1500,
      corrected ? i / 500 : undefined,
    );
  }
  stats.recordError("connect");
  stats.recordError("timeout");
  stats.recordError("timeout");
  stats.elapsedMs = 2000;
  stats.connections = 50;
  stats.processes = 2;
  return stats;
}

const KNOWN_LATENCY = {
  min: 0.001,
  mean: 0.501, // 0.5005 rounded
  stdev: 0.289, // sqrt((1000² - 1) / 12) µs
  p50: 0.5,
  p75: 0.75,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  p999: 0.999,
  p9999: 1,
  max: 1,
};

Deno.test("summaryJson has exactly the documented shape and figures", () => {
  const summary = summaryJson(knownStats(), META);
  assert.deepEqual(summary, {
    url: "http://127.0.0.1:8080/index.html",
    method: "GET",
    mode: "duration",
    processes: 2,
    connections_per_process: 25,
    connections: 50,
    requests: 1003,
    completed: 1000,
    ok: 950,
    failed: 3,
    status: { "200": 900, "304": 50, "404": 40, "503": 10 },
    errors: {
      dns: 0,
      connect: 1,
      tls: 0,
      write: 0,
      read: 0,
      timeout: 2,
      protocol: 0,
    },
    bytes: 1_500_000,
    elapsed_s: 2,
    rps: 500,
    mb_per_s: 0.75,
    mbps: 0.75,
    latency_ms: KNOWN_LATENCY,
    phases_ms: phasesJson(knownStats()),
    interrupted: false,
  });
  // Survives JSON unchanged: no NaN, Infinity or Map inside.
  assert.deepEqual(JSON.parse(JSON.stringify(summary)), summary);
});

Deno.test("summaryJson adds corrected latency and target rate in rate mode", () => {
  const summary = summaryJson(knownStats(true), {
    ...META,
    mode: "rate",
    rate: 600,
  });
  assert.equal(summary.mode, "rate");
  assert.equal(summary.target_rate, 600);
  assert.deepEqual(summary.latency_ms, KNOWN_LATENCY);
  const corrected = summary.latency_corrected_ms as Record<string, number>;
  assert.deepEqual(Object.keys(corrected), Object.keys(KNOWN_LATENCY));
  assert.equal(corrected.min, 0.002);
  assert.equal(corrected.p50, 1);
  assert.equal(corrected.max, 2);
  // Not in other modes, and not when nothing corrected was recorded.
  assert.ok(
    !("target_rate" in summaryJson(knownStats(), { ...META, rate: 600 })),
  );
  assert.ok(!("latency_corrected_ms" in summaryJson(knownStats(), META)));
});

Deno.test("summaryJson rounds to sensible decimals", () => {
  const stats = new RunStats();
  stats.recordResponse(200, 1.23456, 1234567);
  stats.recordResponse(200, 2.34567, 1);
  stats.recordResponse(200, 3, 1);
  stats.elapsedMs = 3333.3333;
  const summary = summaryJson(stats, META);
  assert.equal(summary.elapsed_s, 3.333);
  assert.equal(summary.rps, 0.9); // 3 / 3.3333333
  assert.equal(summary.mbps, 0.37); // 1.234569 MB / 3.3333333 s
  const latency = summary.latency_ms as Record<string, number>;
  assert.equal(latency.min, 1.235);
  assert.equal(latency.mean, 2.194);
});

Deno.test("an empty run reports zeros, not NaN or Infinity", () => {
  const summary = summaryJson(new RunStats(), META);
  assert.equal(summary.requests, 0);
  assert.equal(summary.rps, 0);
  assert.equal(summary.mbps, 0);
  assert.deepEqual(summary.status, {});
  assert.ok(Object.values(summary.latency_ms as object).every((v) => v === 0));
  const text = formatTextReport(new RunStats(), META);
  assert.doesNotMatch(text, /NaN|Infinity/);
  assert.match(text, /^Status codes +none$/m);
  assert.match(text, /^Errors +none$/m);
  assert.match(text, /Note: No request completed/);
  assert.doesNotMatch(text, /Latency \(ms\)/);
});

Deno.test("text report shows what ran, counts, statuses, errors and latency", () => {
  const text = formatTextReport(knownStats(), META);
  assert.match(text, /^Target +GET http:\/\/127\.0\.0\.1:8080\/index\.html$/m);
  assert.match(
    text,
    /^Load +2 processes x 25 connections, closed loop for 2\.00 s$/m,
  );
  assert.match(text, /^Requests +issued +1003$/m);
  assert.match(text, /^ +completed +1000$/m);
  assert.match(text, /^ +ok \(2xx\/3xx\) +950$/m);
  assert.match(text, /^ +errors +3$/m);
  assert.match(text, /^Throughput +requests\/s +500\.00$/m);
  assert.match(text, /^ +MB\/s +0\.750$/m);
  assert.match(text, /^Connections +opened +50$/m);
  assert.match(text, /^ {2}200 +900 +90\.00%$/m);
  assert.match(text, /^ {2}503 +10 +1\.00%$/m);
  // Only the error classes that occurred.
  assert.match(text, /^ {2}connect +1 +0\.10%$/m);
  assert.match(text, /^ {2}timeout +2 +0\.20%$/m);
  assert.doesNotMatch(text, /^ {2}dns +\d+ +[\d.]+%$/m);
  assert.match(text, /^ {2}p50 +0\.500$/m);
  assert.match(text, /^ {2}p99\.9 +0\.999$/m);
  assert.match(text, /^ {2}max +1\.000$/m);
  assert.match(text, /Latency distribution/);
  assert.match(text, /#{30}/);
  assert.doesNotMatch(text, /uncorrected/);
});

Deno.test("text report is aligned plain ASCII with no trailing spaces", () => {
  const text = formatTextReport(knownStats(true), {
    ...META,
    mode: "rate",
    rate: 500,
  });
  assert.match(text, /^[\x20-\x7e\n]*$/);
  assert.doesNotMatch(text, / $/m);
  assert.ok(text.endsWith("\n"));
  // Latency rows line up: every value column ends at the same place.
  const rows = text.split("\n").filter((l) =>
    /^ {2}(min|mean|p\d|max)/.test(l)
  );
  assert.equal(rows.length, 10);
  assert.equal(new Set(rows.map((l) => l.length)).size, 1);
});

Deno.test("text report shows corrected and uncorrected latency in rate mode", () => {
  const text = formatTextReport(knownStats(true), {
    ...META,
    mode: "rate",
    rate: 500,
  });
  assert.match(text, /^ +uncorrected +corrected$/m);
  assert.match(text, /^ {2}p50 +0\.500 +1\.000$/m);
  assert.match(text, /^ {2}max +1\.000 +2\.000$/m);
  assert.match(text, /open loop at 500 req\/s for 2\.00 s/);
  assert.doesNotMatch(text, /Closed-loop/);
});

Deno.test("notes say what the figures cannot show", () => {
  const closed = reportNotes(knownStats(), META);
  assert.ok(closed.some((n) => /3 of 1003 requests \(0\.30%\) failed/.test(n)));
  assert.ok(
    closed.some((n) => /50 responses \(5\.00%\) were not 2xx\/3xx/.test(n)),
  );
  assert.ok(closed.some((n) => /coordinated omission.*--rate/.test(n)));
  for (const note of closed) assert.match(note, /^[A-Z0-9].*\.$/);

  const clean = new RunStats();
  clean.recordResponse(200, 1, 10);
  clean.scheduleLag.recordMs(0.1);
  clean.scheduled = 1;
  clean.elapsedMs = 1000;
  const fast = reportNotes(clean, { ...META, mode: "rate", rate: 1 });
  assert.deepEqual(fast, []);
  // Ten requests sent over a second when a tenth of one was due.
  const late = new RunStats();
  for (let i = 0; i < 10; i++) {
    late.recordResponse(200, 1, 10);
    late.scheduleLag.recordMs(i * 100);
  }
  late.scheduled = 10;
  late.elapsedMs = 1000;
  const slow = reportNotes(late, { ...META, mode: "rate", rate: 100 });
  assert.ok(
    slow.some((n) =>
      /^Sent 10\.00 req\/s, below the target of 100 req\/s/.test(n)
    ),
    slow.join("\n"),
  );
  assert.match(
    formatTextReport(late, { ...META, mode: "rate", rate: 100 }),
    /^Note: Sent/m,
  );
});

Deno.test("a rare failure reads as a small share, never as none", () => {
  const stats = new RunStats();
  for (let i = 0; i < 100_000; i++) stats.recordResponse(200, 1, 1);
  stats.recordError("read");
  const text = formatTextReport(stats, { ...META, mode: "count" });
  assert.match(text, /^ {2}read +1 +<0\.01%$/m);
  assert.match(text, /closed loop, 100001 requests/);
});

Deno.test("a rate run that fell behind says so, with unsent and schedule lag", () => {
  const stats = new RunStats();
  stats.scheduled = 10;
  for (let i = 0; i < 6; i++) {
    stats.recordResponse(200, 1, 10, 1.5);
    stats.scheduleLag.recordMs(0.05);
  }
  stats.elapsedMs = 1000;
  const meta: ReportMeta = { ...META, mode: "rate", rate: 10 };
  const summary = summaryJson(stats, meta);
  assert.equal(summary.scheduled, 10);
  assert.equal(summary.sent, 6);
  assert.equal(summary.unsent, 4);
  assert.equal(summary.rate_held, false);
  assert.equal(
    (summary.schedule_lag_ms as Record<string, number>).p50,
    0.05,
  );
  const text = formatTextReport(stats, meta);
  assert.match(text, /^ +unsent +4 of 10 scheduled$/m);
  assert.match(
    text,
    /^Schedule lag \(ms, send time - intended time\): p50 0\.050/m,
  );
  assert.match(
    text,
    /^Note: The run did not hold its rate: 4 of 10 scheduled/m,
  );

  // Everything sent, but late: that is not holding the rate either.
  const late = new RunStats();
  late.scheduled = 2;
  late.recordResponse(200, 1, 10, 30);
  late.recordResponse(200, 1, 10, 30);
  late.scheduleLag.recordMs(0.01);
  late.scheduleLag.recordMs(29);
  late.elapsedMs = 1000;
  assert.equal(summaryJson(late, { ...meta, rate: 2 }).rate_held, false);
  const onTime = new RunStats();
  onTime.scheduled = 1;
  onTime.recordResponse(200, 1, 10, 1);
  onTime.scheduleLag.recordMs(0.01);
  onTime.elapsedMs = 1000;
  assert.equal(summaryJson(onTime, { ...meta, rate: 1 }).rate_held, true);
  assert.deepEqual(reportNotes(onTime, { ...meta, rate: 1 }), []);
});

Deno.test("an interrupted run says after how long, in JSON and text", () => {
  const stats = knownStats();
  const meta: ReportMeta = { ...META, interrupted: true };
  assert.equal(summaryJson(stats, meta).interrupted, true);
  assert.match(
    formatTextReport(stats, meta),
    /^Note: Run interrupted after 2\.00 s; the figures cover only the part that ran\.$/m,
  );
  assert.ok(!reportNotes(stats, META).some((n) => /interrupted/.test(n)));
});

Deno.test("a rate run that sent everything on time is not called slow", () => {
  // --rate 40 for 1 s against a 250 ms server: all 40 sent on schedule,
  // the run lasting 1.23 s while the last responses come back.
  const stats = new RunStats();
  stats.scheduled = 40;
  for (let i = 0; i < 40; i++) {
    stats.scheduleLag.recordMs(0.2);
    stats.recordResponse(200, 250, 10, 250.2);
  }
  stats.elapsedMs = 1229;
  const meta = { ...META, mode: "rate" as const, rate: 40 };
  assert.equal(stats.unsent, 0);
  const notes = reportNotes(stats, meta);
  assert.ok(!notes.some((n) => /could not keep up/.test(n)), notes.join("\n"));
  assert.doesNotMatch(formatTextReport(stats, meta), /could not keep up/);
});

Deno.test("requests abandoned in flight show in the text and JSON", () => {
  const stats = new RunStats();
  stats.scheduled = 10;
  for (let i = 0; i < 6; i++) stats.scheduleLag.recordMs(0.1);
  for (let i = 0; i < 4; i++) stats.recordResponse(200, 1, 10, 1);
  stats.abandoned = 2;
  stats.elapsedMs = 500;
  const meta = { ...META, mode: "rate" as const, rate: 20, interrupted: true };
  assert.match(formatTextReport(stats, meta), /abandoned\s+2 in flight/);
  const json = summaryJson(stats, meta);
  assert.equal(json.abandoned, 2);
  assert.equal(json.sent, 6);
  assert.equal(
    json.sent,
    Number(json.completed) + Number(json.failed) + Number(json.abandoned),
  );
});
