import assert from "node:assert/strict";
import { buildCharts } from "../experiments/report/charts.ts";
import { summarize } from "../experiments/data/aggregate.ts";
import { buildReport } from "../experiments/report/report.ts";
import { reportData } from "../experiments/report/report_data.ts";
import { parseStudyCsv, type StudyRow } from "../experiments/data/study_row.ts";
import { parseTimingCsv } from "../experiments/data/timing.ts";

const FIXTURE_DIR = new URL("../experiments/testdata/", import.meta.url);
const ROWS = parseStudyCsv(
  Deno.readTextFileSync(new URL("study_fixture.csv", FIXTURE_DIR)),
);
const TIMINGS = parseTimingCsv(
  Deno.readTextFileSync(new URL("timing_fixture.csv", FIXTURE_DIR)),
);
const ALL_CHARTS = new Set(buildCharts(summarize(ROWS)).map((c) => c.name));

function report(
  rows: StudyRow[] = ROWS,
  charts: ReadonlySet<string> = ALL_CHARTS,
): string {
  return buildReport(reportData(rows, TIMINGS, charts, "results"));
}

/** The text of section `title` (up to the next `## `). */
function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `no section ${title}`);
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

Deno.test("the report has every section, in order", () => {
  const text = report();
  const titles = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
  assert.deepEqual(titles, [
    "Summary",
    "Server models",
    "Latency",
    "Throughput",
    "Concurrency",
    "spidey and its peers",
    "Analysis",
    "Conclusions",
    "Reproducing",
  ]);
  assert.doesNotMatch(text, /NaN|undefined|Infinity|n\/a|\[object/);
});

Deno.test("latency figures are means of the repetitions with their range", () => {
  // The fixture's concurrent static runs at 1 connection: 0.5 and 0.6 ms.
  const latency = section(report(), "Latency");
  assert.match(
    latency,
    /\| static 1 KiB \| 1 \| spidey concurrent \(-f\) \| 0\.55 \(0\.5–0\.6\) \|/,
  );
  assert.match(
    latency,
    /!\[Mean latency with 1 connection\]\(results\/latency_c1\.svg\)/,
  );
  assert.match(
    latency,
    /!\[Mean latency with 8 connections\]\(results\/latency_c8\.svg\)/,
  );
  assert.match(
    latency,
    /Each latency point ran 2 times \(3 s per run, thor `--timeout` 10 s\)/,
  );
});

Deno.test("the summary counts runs, names failures and takes machine facts from the CSV", () => {
  const summary = section(report(), "Summary");
  assert.match(
    summary,
    /made 100 thor runs \(latency 36, throughput 18, concurrency 30 and peers 16\)/,
  );
  assert.match(summary, /3 requests failed/);
  assert.match(
    summary,
    /latency spidey single-connection cgi with 8 connections: 3 failed \(timeout\)/,
  );
  assert.match(summary, /\| CPU \| Test CPU, 2 cores \|/);
  assert.match(
    summary,
    /\| servers \| spidey 0\.1\.0 \(abc1234\), nginx\/1\.22\.1 and lighttpd\/1\.4\.69 \|/,
  );
  assert.doesNotMatch(summary, /not idle/);
});

Deno.test("a busy machine is called out with the CPU time others used", () => {
  const busy = ROWS.map((r) => ({ ...r, cpu_busy_pct: 45 }));
  assert.match(
    section(report(busy), "Summary"),
    /not idle: other processes kept a median 45% of its CPU time busy just before a run/,
  );
  const someBusy = ROWS.map((r, i) => ({ ...r, cpu_busy_pct: i < 7 ? 60 : 2 }));
  assert.match(
    section(report(someBusy), "Summary"),
    /more than 20% of the CPU time busy before 7 of 100 runs/,
  );
  assert.match(
    section(report(), "Summary"),
    /\| CPU time busy just before a run, while the study was idle \| median 3\.50%, 3\.50–3\.50% \|/,
  );
});

Deno.test("comparisons choose their words from the measured ratio", () => {
  const analysis = section(report(), "Analysis");
  // Fixture: multi-process latency is 0.4/0.5 of concurrent's at 8 clients.
  assert.match(
    analysis,
    /multi-process mode answers directory listing 1\.3× faster/,
  );
  assert.match(analysis, /1\.5× as much\. Two workers do not double the rate/);
  // Make multi-process slower than concurrent and the wording flips.
  const slower = ROWS.map((r) =>
    r.config === "spidey-multi"
      ? { ...r, lat_mean_ms: r.lat_mean_ms * 4, rps: r.rps / 4 }
      : r
  );
  const flipped = section(report(slower), "Analysis");
  assert.match(
    flipped,
    /multi-process mode answers directory listing 3\.2× slower/,
  );
  assert.match(
    flipped,
    /only 0\.38× as much\. Here the second worker costs more than it brings/,
  );
  assert.match(
    section(report(slower), "Conclusions"),
    /concurrent mode is the one to run/,
  );
  assert.match(
    section(report(), "Conclusions"),
    /multi-process mode is the one to run for throughput \(1\.5× /,
  );
  // 5,850 × 0.77 against 3,900 req/s: a 1.15× gain is only a small edge.
  const close = ROWS.map((r) =>
    r.config === "spidey-multi" ? { ...r, rps: r.rps * 0.77 } : r
  );
  assert.match(
    section(report(close), "Conclusions"),
    /multi-process mode has a small edge at peak throughput \(1\.2× /,
  );
});

Deno.test("peer ratios are spidey's req/s over the peer's on the same workload", () => {
  const peers = section(report(), "spidey and its peers");
  assert.match(
    peers,
    /\| static 1 KiB \| 8 \| spidey concurrent \(-f\) \| 15,273 \| nginx 1 worker \| 76,364 \| 0\.2× /,
  );
  assert.match(peers, /nginx has no CGI/);
  assert.match(
    report(),
    /Given the same CPUs as lighttpd event loop, spidey concurrent \(-f\) is measurably behind on static 1 KiB[^.]*CGI script/,
  );
});

Deno.test("saturation is the fewest connections reaching 90% of the peak", () => {
  const concurrency = section(report(), "Concurrency");
  // Fixture: concurrent mode tops out at 3,900 req/s from 4 connections on.
  assert.match(
    concurrency,
    /\| spidey concurrent \(-f\) \| 3,900 \| 4 \| 4 \|/,
  );
  assert.match(concurrency, /\| spidey single-connection \| 975 \| 1 \| 1 \|/);
});

Deno.test("a part without data says how to measure it, and no chart is linked for it", () => {
  const latencyOnly = ROWS.filter((r) => r.part === "latency");
  const charts = new Set(
    buildCharts(summarize(latencyOnly)).map((c) => c.name),
  );
  assert.deepEqual([...charts], [
    "latency_c1",
    "latency_c8",
    "percentiles_listing",
    "percentiles_small",
    "percentiles_cgi",
  ]);
  const text = report(latencyOnly, charts);
  assert.match(
    section(text, "Throughput"),
    /Not measured in this run: `experiments\/run_study\.sh --only throughput`/,
  );
  assert.match(section(text, "spidey and its peers"), /--only peers/);
  assert.doesNotMatch(text, /throughput\.svg|peers\.svg|concurrency_rps\.svg/);
  assert.doesNotMatch(text, /NaN|undefined|Infinity/);
});

Deno.test("charts that were not drawn are not linked", () => {
  assert.doesNotMatch(report(ROWS, new Set()), /!\[/);
});

Deno.test("the study's measured duration and the rerun commands close the report", () => {
  const reproduce = section(report(), "Reproducing");
  // 0.4 + 190.5 + 95.25 + 80 + 70.1 seconds in the timing fixture.
  assert.match(reproduce, /The measurements took 7 min 16 s in all/);
  assert.match(
    reproduce,
    /\| latency \| 36 \| 3 min 11 s \| 2026-01-02 03:00:00 \|/,
  );
  assert.match(reproduce, /experiments\/run_study\.sh --only latency/);
});

Deno.test("a report of no runs is refused", () => {
  assert.throws(() => report([]), /no runs to report on/);
});
