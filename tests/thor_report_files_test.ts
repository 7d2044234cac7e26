import assert from "node:assert/strict";
import { mergedMeta, mergeStatsFiles } from "../lib/thor/merge.ts";
import { CSV_HEADER, formatCsv } from "../lib/thor/output/csv_output.ts";
import { formatHtmlReport } from "../lib/thor/output/html_report.ts";
import {
  decodeStatsFile,
  encodeStatsFile,
  StatsFileError,
} from "../lib/thor/output/stats_file.ts";
import { niceTicks } from "../lib/thor/output/svg_chart.ts";
import { type ReportMeta, summaryJson } from "../lib/thor/report.ts";
import { RunStats } from "../lib/thor/run_stats.ts";

const META: ReportMeta = {
  url: "http://h/<p>",
  method: "GET",
  processes: 1,
  connectionsPerProcess: 2,
  mode: "duration",
};

/** Stats with responses in seconds 0 and 2 and an error in second 1. */
function sample(): RunStats {
  const stats = new RunStats();
  const now = performance.now();
  stats.startClock(now);
  stats.recordResponse(200, 0.1, 5);
  stats.recordResponse(200, 0.2, 5);
  stats.startClock(now - 1200);
  stats.recordError("read");
  stats.startClock(now - 2100);
  stats.recordResponse(503, 0.05, 5);
  stats.elapsedMs = 3500;
  return stats;
}

Deno.test("the CSV has one row per second of the run, quiet ones included", () => {
  assert.equal(
    formatCsv(sample()),
    [
      CSV_HEADER,
      "0,2,0,0.101,0.203",
      "1,0,1,,",
      "2,1,0,0.050,0.050",
      "3,0,0,,",
      "",
    ].join("\n"),
  );
  assert.equal(formatCsv(new RunStats()), `${CSV_HEADER}\n`);
});

Deno.test("a stats file reads back to the same stats and meta", () => {
  const stats = sample();
  const meta = { ...META, mode: "rate" as const, rate: 50 };
  const back = decodeStatsFile(encodeStatsFile(stats, meta));
  assert.deepEqual(back.meta, meta);
  assert.equal(back.stats.toWire(), stats.toWire());
});

Deno.test("a stats file of another version or shape is refused in one sentence", () => {
  const good = JSON.parse(encodeStatsFile(sample(), META));
  const cases: Array<[unknown, RegExp]> = [
    [{ ...good, version: 2 }, /^Stats file version 2 is not supported/],
    [{ ...good, format: "x" }, /^Not a thor stats file/],
    [{ ...good, meta: { ...META, mode: "fast" } }, /unknown mode "fast"/],
    [{ ...good, stats: { ...good.stats, issued: 99 } }, /"issued" \(99\)/],
    [{ ...good, stats: { ...good.stats, v: 7 } }, /unsupported version 7/],
    [[], /^Not a thor stats file/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => decodeStatsFile(JSON.stringify(value)), (err) => {
      assert.ok(err instanceof StatsFileError);
      assert.equal(err.code, "BAD_STATS_FILE");
      assert.match(err.message, message);
      assert.ok(!err.message.includes("\n"));
      return true;
    });
  }
  assert.throws(() => decodeStatsFile("{"), /not valid JSON/);
});

Deno.test("merging files is RunStats.merged of their stats, metas summed", () => {
  const a = sample();
  const b = sample();
  b.recordResponse(404, 7, 1);
  const files = [a, b].map((s) => decodeStatsFile(encodeStatsFile(s, META)));
  const { stats, meta } = mergeStatsFiles(files);
  const direct = RunStats.merged([a, b]);
  // The HDR payloads may be laid out differently; what they say is equal.
  assert.deepEqual(summaryJson(stats, META), summaryJson(direct, META));
  assert.deepEqual(stats.perSecond.toWire(), direct.perSecond.toWire());
  assert.equal(stats.completed, 7);
  assert.equal(stats.processes, 2);
  assert.equal(meta.processes, 2);
  assert.deepEqual(
    mergedMeta([{ ...META, rate: 10 }, { ...META, url: "u2", rate: 5 }]),
    { ...META, url: `${META.url}, u2`, processes: 2, rate: 15 },
  );
});

Deno.test("nice ticks are round and reach the maximum", () => {
  assert.deepEqual(niceTicks(9.3).map((t) => t.value), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0).map((t) => t.value), [
    0,
    0.2,
    0.4,
    0.6,
    0.8,
    1,
  ]);
  assert.deepEqual(niceTicks(0.031, 3).map((t) => t.label), [
    "0",
    "0.02",
    "0.04",
  ]);
});

Deno.test("the HTML page is self-contained, escaped, with both charts", () => {
  const html = formatHtmlReport(sample(), META);
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(html.includes("http://h/&lt;p&gt;"));
  assert.ok(!html.includes("<p>"), "the URL is escaped");
  assert.doesNotMatch(html, /<script|<link|src=|@import|url\(/);
  assert.equal(html.match(/<svg /g)?.length, 2);
  const paths = [...html.matchAll(/<path class="series"[^>]* d="([^"]*)"/g)];
  assert.equal(paths.length, 3); // p50, p99, the percentile curve
  for (const [, d] of paths) assert.match(d ?? "", /^M[\d.]+ [\d.]+/);
  assert.ok(html.includes(">503<"));
  assert.ok(html.includes(">read<"));
  const empty = formatHtmlReport(new RunStats(), META);
  assert.ok(empty.includes("No response completed, so there is no curve."));
});
