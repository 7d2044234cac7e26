/**
 * `--html FILE`: a run's report as ONE self-contained HTML page — the
 * settings, the counts, latency over time (per second), the percentile
 * curve on a log-scaled tail axis, and the status and error breakdown.
 * Charts are inline SVG from `./svg_chart.ts`; the page loads nothing.
 *
 * @module
 */

import { escapeHtml } from "../../common/html.ts";
import type { LatencyHistogram } from "../histogram.ts";
import {
  LATENCY_PERCENTILES,
  latencySummary,
  type ReportMeta,
  reportNotes,
} from "../report.ts";
import { ERROR_CLASSES, type RunStats } from "../run_stats.ts";
import { type Axis, lineChart, niceTicks, type Series } from "./svg_chart.ts";

const P50_COLOR = "#1f77b4";
const P99_COLOR = "#d62728";
const CORRECTED_COLOR = "#ff7f0e";
/** Points per decade of the percentile curve's log axis. */
const CURVE_STEPS = 40;
/** The curve never goes past p99.9999. */
const MAX_NINES = 6;

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 800px;
  padding: 0 16px; color: #222; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.sub { color: #555; margin: 0 0 16px; overflow-wrap: anywhere; }
table { border-collapse: collapse; }
th, td { padding: 2px 14px 2px 0; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.v { overflow-wrap: anywhere; }
.bar { display: inline-block; height: 10px; background: #1f77b4; }
.bar.err { background: #d62728; }
svg.chart { max-width: 100%; height: auto; display: block; }
svg .frame { fill: none; stroke: #888; }
svg .grid { stroke: #e4e4e4; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
svg .axis-title, svg .legend { fill: #000; }
.note { color: #555; }
`;

function row(label: string, value: string): string {
  return `<tr><th>${escapeHtml(label)}</th><td class="v">${
    escapeHtml(value)
  }</td></tr>`;
}

function share(part: number, whole: number): string {
  return whole > 0 ? `${(part / whole * 100).toFixed(2)}%` : "0.00%";
}

function settingsTable(stats: RunStats, meta: ReportMeta): string {
  const seconds = stats.elapsedMs / 1000;
  const rps = seconds > 0 ? stats.completed / seconds : 0;
  const rows = [
    row("Target", `${meta.method} ${meta.url}`),
    row("Mode", meta.mode),
    ...(meta.rate === undefined
      ? []
      : [row("Target rate", `${meta.rate} req/s`)]),
    row("Processes", String(stats.processes)),
    row("Connections per process", String(meta.connectionsPerProcess)),
    row("Connections opened", String(stats.connections)),
    row("Elapsed", `${seconds.toFixed(3)} s`),
    row("Requests issued", String(stats.issued)),
    row("Completed", String(stats.completed)),
    row("OK (2xx/3xx)", String(stats.ok)),
    row("Errors", String(stats.errorCount)),
    row("Throughput", `${rps.toFixed(2)} req/s`),
    row("Received", `${(stats.bytes / 1e6).toFixed(3)} MB`),
  ];
  return `<table class="settings">${rows.join("")}</table>`;
}

function breakdownTable(
  entries: ReadonlyArray<readonly [string, number]>,
  whole: number,
  barClass: string,
): string {
  const most = Math.max(1, ...entries.map(([, n]) => n));
  const rows = entries.map(([label, n]) =>
    `<tr><th>${escapeHtml(label)}</th><td class="n">${n}</td><td class="n">${
      share(n, whole)
    }</td><td><span class="${barClass}" style="width:${
      Math.max(1, Math.round(n / most * 200))
    }px"></span></td></tr>`
  );
  return `<table>${rows.join("")}</table>`;
}

function statusSection(stats: RunStats): string {
  const codes = [...stats.status.keys()].sort((a, b) => a - b);
  const failing = ERROR_CLASSES.filter((c) => (stats.errors.get(c) ?? 0) > 0);
  const status = codes.length === 0
    ? `<p class="note">No response completed.</p>`
    : breakdownTable(
      codes.map((c) => [String(c), stats.status.get(c) ?? 0] as const),
      stats.completed,
      "bar",
    );
  const errors = failing.length === 0
    ? `<p class="note">No request failed.</p>`
    : breakdownTable(
      failing.map((c) => [c, stats.errors.get(c) ?? 0] as const),
      stats.issued,
      "bar err",
    );
  return `<h2>Status codes</h2>${status}<h2 id="errors">Errors</h2>${errors}`;
}

function latencyTable(stats: RunStats): string {
  const corrected = stats.correctedLatency.count > 0;
  const measured = latencySummary(stats.latency);
  const fixed = corrected ? latencySummary(stats.correctedLatency) : null;
  const keys: Array<[string, string]> = [
    ["min", "min"],
    ["mean", "mean"],
    ["stdev", "stdev"],
    ...LATENCY_PERCENTILES.map(([k, l]): [string, string] => [k, l]),
    ["max", "max"],
  ];
  const head = `<tr><th></th><th>${
    corrected ? "uncorrected" : "measured"
  }</th>${fixed ? "<th>corrected</th>" : ""}</tr>`;
  const rows = keys.map(([key, label]) =>
    `<tr><th>${label}</th><td class="n">${
      (measured[key] ?? 0).toFixed(3)
    }</td>${
      fixed ? `<td class="n">${(fixed[key] ?? 0).toFixed(3)}</td>` : ""
    }</tr>`
  );
  return `<table>${head}${rows.join("")}</table>`;
}

function overTimeChart(stats: RunStats): string {
  const rows = stats.perSecond.rows(Math.ceil(stats.elapsedMs / 1000));
  if (rows.length === 0) {
    return `<p class="note">No per-second data was recorded.</p>`;
  }
  // Each row is drawn at its middle, so a one-second run is a point.
  const mid = stats.perSecond.width / 2;
  const p50: Array<[number, number | null]> = rows.map((
    r,
  ) => [r.second + mid, r.p50Ms]);
  const p99: Array<[number, number | null]> = rows.map((
    r,
  ) => [r.second + mid, r.p99Ms]);
  const span = rows.length * stats.perSecond.width;
  const top = Math.max(0, ...rows.map((r) => r.p99Ms ?? 0));
  const yTicks = niceTicks(top);
  const x: Axis = {
    min: 0,
    max: span,
    ticks: niceTicks(span, 8).filter((t) => t.value <= span),
    title: "seconds since start",
  };
  const y: Axis = {
    min: 0,
    max: yTicks[yTicks.length - 1]?.value ?? 1,
    ticks: yTicks,
    title: "latency (ms)",
  };
  const series: Series[] = [
    { name: "p50", color: P50_COLOR, points: p50 },
    { name: "p99", color: P99_COLOR, points: p99 },
  ];
  return lineChart({ title: "Latency over time", x, y, series });
}

/** The percentile that a tail-axis position `x` (nines) stands for. */
function percentileAt(x: number): number {
  return 100 * (1 - 10 ** -x);
}

function nineLabel(nines: number): string {
  return (100 - 10 ** (2 - nines)).toFixed(Math.max(0, nines - 2));
}

function curvePoints(h: LatencyHistogram, nines: number) {
  const points: Array<[number, number]> = [];
  for (let i = 0; i <= nines * CURVE_STEPS; i++) {
    const x = i / CURVE_STEPS;
    points.push([x, h.percentileMs(Math.min(100, percentileAt(x)))]);
  }
  return points;
}

function percentileChart(stats: RunStats): string {
  const h = stats.latency;
  if (h.count === 0) {
    return `<p class="note">No response completed, so there is no curve.</p>`;
  }
  // Show the tail as far as the samples can resolve it (one in `count`).
  const nines = Math.min(
    MAX_NINES,
    Math.max(2, Math.ceil(Math.log10(h.count))),
  );
  const series: Series[] = [
    { name: "measured", color: P50_COLOR, points: curvePoints(h, nines) },
  ];
  let top = h.maxMs();
  if (stats.correctedLatency.count > 0) {
    series.push({
      name: "corrected",
      color: CORRECTED_COLOR,
      points: curvePoints(stats.correctedLatency, nines),
    });
    top = Math.max(top, stats.correctedLatency.maxMs());
  }
  const ticks = [{ value: 0, label: "0" }, {
    value: Math.log10(2),
    label: "50",
  }];
  for (let n = 1; n <= nines; n++) {
    ticks.push({ value: n, label: nineLabel(n) });
  }
  const yTicks = niceTicks(top);
  return lineChart({
    title: "Latency by percentile",
    x: {
      min: 0,
      max: nines,
      ticks,
      title: "percentile (log scale of the tail)",
    },
    y: {
      min: 0,
      max: yTicks[yTicks.length - 1]?.value ?? 1,
      ticks: yTicks,
      title: "latency (ms)",
    },
    series,
  });
}

/** The whole HTML page for `stats` and `meta`. */
export function formatHtmlReport(stats: RunStats, meta: ReportMeta): string {
  const notes = reportNotes(stats, meta).map((n) =>
    `<p class="note">${escapeHtml(n)}</p>`
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>thor report: ${escapeHtml(`${meta.method} ${meta.url}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>thor report</h1>
<p class="sub">${escapeHtml(`${meta.method} ${meta.url}`)}</p>
<h2>Run</h2>
${settingsTable(stats, meta)}
<h2 id="over-time">Latency over time</h2>
${overTimeChart(stats)}
<h2 id="percentiles">Latency by percentile</h2>
${percentileChart(stats)}
<h2>Latency (ms)</h2>
${latencyTable(stats)}
${statusSection(stats)}
${notes.length > 0 ? `<h2>Notes</h2>\n${notes.join("\n")}` : ""}
</body>
</html>
`;
}
