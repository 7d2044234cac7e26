/**
 * Turns a finished run's {@link RunStats} into the JSON summary (`--json`)
 * and the human text report, in the spirit of wrk and oha: what was run,
 * how many requests ended how, throughput, latency percentiles with a small
 * distribution, and plain notes on what the figures cannot show.
 *
 * @module
 */

import type { LatencyHistogram } from "./histogram.ts";
import { PHASE_NAMES } from "./phases.ts";
import { ERROR_CLASSES, type RunStats } from "./run_stats.ts";
import type { RequestTarget } from "./targets.ts";
import type { TargetStats } from "./target_stats.ts";

/** What was run, as the CLI understood it. */
export interface ReportMeta {
  /** Target URL. */
  url: string;
  /** Request method. */
  method: string;
  /** Processes asked for. */
  processes: number;
  /** Connections each process keeps open. */
  connectionsPerProcess: number;
  /** `count`: N requests; `duration`: for a time; `rate`: open loop at a fixed rate. */
  mode: "count" | "duration" | "rate";
  /** Target requests per second in `rate` mode. */
  rate?: number;
  /** True when SIGINT (Ctrl-C) ended the run early. */
  interrupted?: boolean;
  /**
   * The targets of a `--targets` run (then `url` is the file), in the
   * order of `RunStats.targets`; absent for one URL.
   */
  targets?: ReportTarget[];
}

/** One target of a `--targets` run, as the report names it. */
export interface ReportTarget {
  /** Its method. */
  method: string;
  /** Its URL as written. */
  url: string;
  /** Times it is sent per round. */
  weight: number;
}

/** Percentiles reported, as JSON key, text label and percentile. */
export const LATENCY_PERCENTILES: ReadonlyArray<
  readonly [key: string, label: string, p: number]
> = [
  ["p50", "p50", 50],
  ["p75", "p75", 75],
  ["p90", "p90", 90],
  ["p95", "p95", 95],
  ["p99", "p99", 99],
  ["p999", "p99.9", 99.9],
  ["p9999", "p99.99", 99.99],
];

/**
 * Schedule lag p99 above which a `rate` run did not hold its rate: beyond
 * it, the pacer's lateness would read as server latency.
 */
export const SCHEDULE_LAG_LIMIT_MS = 2;

/** True when a `rate` run sent every request on time. */
export function heldRate(stats: RunStats): boolean {
  return stats.unsent === 0 &&
    stats.scheduleLag.percentileMs(99) <= SCHEDULE_LAG_LIMIT_MS;
}

/** Below this share of the target rate a `rate` run is called out. */
const RATE_SHORTFALL = 0.95;
const BAR_WIDTH = 30;
const DISTRIBUTION_BINS = 8;

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  // toPrecision(15) drops binary noise, so 0.5005 ms (stored as
  // 0.50049999…) rounds up to 0.501 as a reader expects.
  return Math.round(Number((value * scale).toPrecision(15))) / scale;
}

/** Requests per second over the run; 0 for a zero-length run. */
function requestsPerSecond(stats: RunStats): number {
  return stats.elapsedMs > 0 ? stats.completed / (stats.elapsedMs / 1000) : 0;
}

/**
 * Requests sent per second over the span of sending them in a `rate` run:
 * the schedule of the requests sent, stretched by the latest send, and
 * never longer than the run. Waiting for the last responses is not
 * sending, so it is left out.
 */
function sendRate(stats: RunStats, rate: number | undefined): number {
  const sent = stats.scheduleLag.count;
  if (rate === undefined || sent === 0) return 0;
  const spanMs = Math.min(
    stats.elapsedMs,
    sent / rate * 1000 + stats.scheduleLag.maxMs(),
  );
  return spanMs > 0 ? sent / (spanMs / 1000) : 0;
}

/** Decimal megabytes per second over the run; 0 for a zero-length run. */
function megabytesPerSecond(stats: RunStats): number {
  return stats.elapsedMs > 0 ? stats.bytes / 1e6 / (stats.elapsedMs / 1000) : 0;
}

/**
 * Latency figures in milliseconds rounded to the microsecond: `min`,
 * `mean`, `stdev`, each of {@link LATENCY_PERCENTILES}, `max`.
 */
export function latencySummary(h: LatencyHistogram): Record<string, number> {
  const out: Record<string, number> = {
    min: round(h.minMs(), 3),
    mean: round(h.meanMs(), 3),
    stdev: round(h.stdevMs(), 3),
  };
  for (const [key, , p] of LATENCY_PERCENTILES) {
    out[key] = round(h.percentileMs(p), 3);
  }
  out.max = round(h.maxMs(), 3);
  return out;
}

/**
 * What a `--targets` run adds to its {@link ReportMeta}: the file as its
 * `url`, its methods, and the targets; nothing for a run of one URL.
 */
export function targetsMeta(
  targets: readonly RequestTarget[] | null,
  file: string | null,
): Partial<ReportMeta> {
  if (targets === null) return {};
  return {
    url: file ?? "targets",
    method: [...new Set(targets.map((t) => t.method))].join(","),
    targets: targets.map((t) => ({
      method: t.method,
      url: t.url.input,
      weight: t.weight,
    })),
  };
}

/** A phase's sample count and figures; {@link latencySummary} plus `count`. */
function phaseSummary(h: LatencyHistogram): Record<string, number> {
  return { count: h.count, ...latencySummary(h) };
}

/**
 * `phases_ms`: DNS lookups, TCP connects and TLS handshakes (one sample
 * per lookup or connection opened), then time to first byte and total (one
 * per response; `total` is the latency histogram).
 */
export function phasesJson(
  stats: RunStats,
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const name of PHASE_NAMES) out[name] = phaseSummary(stats.phases[name]);
  out.total = phaseSummary(stats.latency);
  return out;
}

function sortedStatus(status: Map<number, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const code of [...status.keys()].sort((a, b) => a - b)) {
    out[String(code)] = status.get(code) ?? 0;
  }
  return out;
}

/** The name of target `i` in the report (`GET http://…`, or `target N`). */
function targetName(meta: ReportMeta, i: number): string {
  const target = meta.targets?.[i];
  return target === undefined
    ? `target ${i + 1}`
    : `${target.method} ${target.url}`;
}

/** `targets`: each target's requests, statuses, errors and p50/p99. */
export function targetsJson(
  stats: RunStats,
  meta: ReportMeta,
): Record<string, unknown>[] {
  return stats.targets.map((t: TargetStats, i) => {
    const errors: Record<string, number> = {};
    for (const cls of ERROR_CLASSES) {
      const n = t.errors.get(cls) ?? 0;
      if (n > 0) errors[cls] = n;
    }
    const target = meta.targets?.[i];
    return {
      ...(target === undefined
        ? {}
        : { method: target.method, url: target.url, weight: target.weight }),
      requests: t.issued,
      completed: t.completed,
      failed: t.errorCount,
      status: sortedStatus(t.status),
      errors,
      latency_ms: {
        p50: round(t.latency.percentileMs(50), 3),
        p99: round(t.latency.percentileMs(99), 3),
      },
    };
  });
}

/**
 * The machine-readable summary: every error class present (0 when none),
 * status codes as string keys, latencies in ms to 3 decimals, and
 * `latency_corrected_ms` only when corrected latency was recorded.
 */
export function summaryJson(
  stats: RunStats,
  meta: ReportMeta,
): Record<string, unknown> {
  const status = sortedStatus(stats.status);
  const errors: Record<string, number> = {};
  for (const cls of ERROR_CLASSES) errors[cls] = stats.errors.get(cls) ?? 0;
  const summary: Record<string, unknown> = {
    url: meta.url,
    method: meta.method,
    mode: meta.mode,
    ...(meta.mode === "rate" && meta.rate !== undefined
      ? { target_rate: meta.rate }
      : {}),
    processes: stats.processes,
    connections_per_process: meta.connectionsPerProcess,
    connections: stats.connections,
    requests: stats.issued,
    completed: stats.completed,
    ok: stats.ok,
    failed: stats.errorCount,
    status,
    errors,
    bytes: stats.bytes,
    elapsed_s: round(stats.elapsedMs / 1000, 3),
    rps: round(requestsPerSecond(stats), 2),
    mb_per_s: round(megabytesPerSecond(stats), 3),
    // Deprecated alias of mb_per_s (megabytes, not megabits, per second).
    mbps: round(megabytesPerSecond(stats), 3),
    latency_ms: latencySummary(stats.latency),
    phases_ms: phasesJson(stats),
    interrupted: meta.interrupted === true,
  };
  if (stats.targets.length > 0) summary.targets = targetsJson(stats, meta);
  if (meta.mode === "rate") {
    summary.scheduled = stats.scheduled;
    summary.sent = stats.scheduleLag.count;
    summary.unsent = stats.unsent;
    summary.abandoned = stats.abandoned;
    summary.rate_held = heldRate(stats);
    summary.schedule_lag_ms = latencySummary(stats.scheduleLag);
  }
  if (stats.correctedLatency.count > 0) {
    summary.latency_corrected_ms = latencySummary(stats.correctedLatency);
  }
  return summary;
}

function percent(part: number, whole: number): string {
  if (whole <= 0 || part <= 0) return "0.00%";
  const share = part / whole * 100;
  // A rare failure must not read as none at all.
  return share < 0.005 ? "<0.01%" : `${share.toFixed(2)}%`;
}

function ms(value: number): string {
  return value.toFixed(3);
}

/** Width of the left label column of the text report. */
const LABEL_WIDTH = 12;

/**
 * Rows of cells: the first `leftColumns` left-aligned (the first at least
 * `labelWidth` wide), the rest right-aligned.
 */
function table(
  rows: ReadonlyArray<ReadonlyArray<string>>,
  indent = "  ",
  labelWidth = 0,
  leftColumns = 1,
): string[] {
  const widths: number[] = [labelWidth];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    indent +
    row.map((cell, i) =>
      i < leftColumns
        ? cell.padEnd(widths[i] ?? 0)
        : cell.padStart(widths[i] ?? 0)
    ).join("   ").trimEnd()
  );
}

/** A `label   value` line aligned with the report's label column. */
function field(label: string, value: string): string {
  return `${label.padEnd(LABEL_WIDTH)}   ${value}`;
}

function loadLine(stats: RunStats, meta: ReportMeta): string {
  const shape = `${meta.processes} process${meta.processes === 1 ? "" : "es"}` +
    ` x ${meta.connectionsPerProcess} connection${
      meta.connectionsPerProcess === 1 ? "" : "s"
    }`;
  const seconds = `${(stats.elapsedMs / 1000).toFixed(2)} s`;
  switch (meta.mode) {
    case "rate":
      return `${shape}, open loop at ${meta.rate ?? "?"} req/s for ${seconds}`;
    case "duration":
      return `${shape}, closed loop for ${seconds}`;
    case "count":
      return `${shape}, closed loop, ${stats.issued} requests in ${seconds}`;
  }
}

function latencyLines(stats: RunStats): string[] {
  const corrected = stats.correctedLatency.count > 0;
  const measured = latencySummary(stats.latency);
  const fixed = corrected ? latencySummary(stats.correctedLatency) : undefined;
  const labels: Array<[string, string]> = [
    ["min", "min"],
    ["mean", "mean"],
    ["stdev", "stdev"],
    ...LATENCY_PERCENTILES.map(([key, label]): [string, string] => [
      key,
      label,
    ]),
    ["max", "max"],
  ];
  const rows: string[][] = [
    corrected ? ["", "uncorrected", "corrected"] : ["", "measured"],
  ];
  for (const [key, label] of labels) {
    const row = [label, ms(measured[key] ?? 0)];
    if (fixed) row.push(ms(fixed[key] ?? 0));
    rows.push(row);
  }
  return ["Latency (ms)", ...table(rows)];
}

/** The pacer's own lateness, apart from the latency it would distort. */
function scheduleLagLine(stats: RunStats): string {
  const lag = latencySummary(stats.scheduleLag);
  return `Schedule lag (ms, send time - intended time): p50 ${
    ms(lag.p50 ?? 0)
  }  p99 ${ms(lag.p99 ?? 0)}  max ${ms(lag.max ?? 0)}`;
}

/** hey's "Details": how long each phase took, and how often it happened. */
function phaseLines(stats: RunStats): string[] {
  const rows: string[][] = [["", "count", "mean", "p50", "p99", "max"]];
  const add = (label: string, h: LatencyHistogram) => {
    rows.push(
      h.count === 0 ? [label, "0", "-", "-", "-", "-"] : [
        label,
        String(h.count),
        ms(h.meanMs()),
        ms(h.percentileMs(50)),
        ms(h.percentileMs(99)),
        ms(h.maxMs()),
      ],
    );
  };
  for (const name of PHASE_NAMES) add(name, stats.phases[name]);
  add("total", stats.latency);
  return [
    "Phases (ms; dns, connect, tls per lookup or connection opened,",
    "        ttfb and total per response, from the send start)",
    ...table(rows),
  ];
}

/** The per-target breakdown of a `--targets` run. */
function targetLines(stats: RunStats, meta: ReportMeta): string[] {
  const rows: string[][] = [[
    "#",
    "target",
    "requests",
    "errors",
    "p50 ms",
    "p99 ms",
    "statuses",
  ]];
  stats.targets.forEach((t, i) => {
    const weight = meta.targets?.[i]?.weight ?? 1;
    const statuses = [...t.status.keys()].sort((a, b) => a - b)
      .map((code) => `${code}:${t.status.get(code) ?? 0}`).join(" ");
    rows.push([
      String(i + 1),
      targetName(meta, i) + (weight > 1 ? ` (x${weight})` : ""),
      String(t.issued),
      String(t.errorCount),
      t.completed === 0 ? "-" : ms(t.latency.percentileMs(50)),
      t.completed === 0 ? "-" : ms(t.latency.percentileMs(99)),
      statuses === "" ? "-" : statuses,
    ]);
  });
  return ["Targets", ...table(rows, "  ", 0, 2)];
}

function distributionLines(stats: RunStats): string[] {
  const bins = stats.latency.distribution(DISTRIBUTION_BINS);
  const most = Math.max(0, ...bins.map((b) => b.count));
  if (most === 0) return [];
  const total = stats.latency.count;
  const edgeWidth = ms(bins[bins.length - 1]?.toMs ?? 0).length;
  const rows = bins.map((bin) => {
    // A non-empty bin always shows at least one mark.
    const width = bin.count === 0
      ? 0
      : Math.max(1, Math.round(bin.count / most * BAR_WIDTH));
    return [
      `${ms(bin.fromMs).padStart(edgeWidth)} - ${
        ms(bin.toMs).padStart(edgeWidth)
      }`,
      String(bin.count),
      percent(bin.count, total),
      "#".repeat(width),
    ];
  });
  const lines = table(rows.map((row) => row.slice(0, 3)));
  return [
    "Latency distribution (ms, measured)",
    ...lines.map((line, i) => `${line}  ${rows[i]?.[3] ?? ""}`.trimEnd()),
  ];
}

/** The honest caveats for this run, one sentence each. */
export function reportNotes(stats: RunStats, meta: ReportMeta): string[] {
  const notes: string[] = [];
  if (meta.interrupted) {
    notes.push(
      `Run interrupted after ${
        (stats.elapsedMs / 1000).toFixed(2)
      } s; the figures cover only the part that ran.`,
    );
  }
  const failed = stats.errorCount;
  if (stats.completed === 0) {
    notes.push("No request completed, so there are no latency figures.");
  }
  if (failed > 0) {
    notes.push(
      `${failed} of ${stats.issued} requests (${
        percent(failed, stats.issued)
      }) failed; latency covers completed responses only.`,
    );
  }
  const notOk = stats.completed - stats.ok;
  if (notOk > 0) {
    notes.push(
      `${notOk} responses (${
        percent(notOk, stats.completed)
      }) were not 2xx/3xx; they count in throughput and latency.`,
    );
  }
  if (meta.mode === "rate" && stats.abandoned > 0) {
    notes.push(
      `${stats.abandoned} requests were still in flight when the run stopped; ` +
        "they are neither completed nor failed, so latency leaves out its slowest requests.",
    );
  }
  if (meta.mode === "rate" && !heldRate(stats)) {
    notes.push(
      `The run did not hold its rate: ${stats.unsent} of ${stats.scheduled} scheduled requests ` +
        `were never sent, and the schedule lag p99 was ${
          ms(stats.scheduleLag.percentileMs(99))
        } ms (limit ${SCHEDULE_LAG_LIMIT_MS} ms).`,
    );
  }
  if (meta.mode === "rate") {
    const achieved = sendRate(stats, meta.rate);
    if (meta.rate !== undefined && achieved < meta.rate * RATE_SHORTFALL) {
      notes.push(
        `Sent ${
          achieved.toFixed(2)
        } req/s, below the target of ${meta.rate} req/s: the server or thor could not keep up.`,
      );
    }
  } else if (stats.completed > 0) {
    notes.push(
      "Closed-loop run: each connection waits for a response before sending the next request, " +
        "so latency can hide server stalls (coordinated omission); use --rate for corrected latency.",
    );
  }
  return notes;
}

/** The human summary printed at the end of a run. */
export function formatTextReport(stats: RunStats, meta: ReportMeta): string {
  const lines: string[] = [];
  const targets = meta.targets?.length ?? stats.targets.length;
  lines.push(
    stats.targets.length > 0
      ? field("Targets", `${meta.url} (${targets} targets, round-robin)`)
      : field("Target", `${meta.method} ${meta.url}`),
  );
  lines.push(field("Load", loadLine(stats, meta)));
  lines.push("");
  lines.push(
    ...table(
      [
        ["Requests", "issued", String(stats.issued)],
        ["", "completed", String(stats.completed)],
        ["", "ok (2xx/3xx)", String(stats.ok)],
        ["", "errors", String(stats.errorCount)],
        ...(meta.mode === "rate"
          ? [["", "unsent", `${stats.unsent} of ${stats.scheduled} scheduled`]]
          : []),
        ...(meta.mode === "rate" && stats.abandoned > 0
          ? [["", "abandoned", `${stats.abandoned} in flight`]]
          : []),
        ["Throughput", "requests/s", requestsPerSecond(stats).toFixed(2)],
        ["", "MB/s", megabytesPerSecond(stats).toFixed(3)],
        ["", "MB received", (stats.bytes / 1e6).toFixed(3)],
        ["Elapsed", "seconds", (stats.elapsedMs / 1000).toFixed(3)],
        ["Connections", "opened", String(stats.connections)],
      ],
      "",
      LABEL_WIDTH,
      2,
    ),
  );
  lines.push("");
  const codes = [...stats.status.keys()].sort((a, b) => a - b);
  if (codes.length === 0) {
    lines.push(field("Status codes", "none"));
  } else {
    lines.push("Status codes");
    lines.push(...table(codes.map((code) => {
      const n = stats.status.get(code) ?? 0;
      return [String(code), String(n), percent(n, stats.completed)];
    })));
  }
  const failing = ERROR_CLASSES.filter((cls) =>
    (stats.errors.get(cls) ?? 0) > 0
  );
  if (failing.length === 0) {
    lines.push(field("Errors", "none"));
  } else {
    lines.push("Errors");
    lines.push(...table(failing.map((cls) => {
      const n = stats.errors.get(cls) ?? 0;
      return [cls, String(n), percent(n, stats.issued)];
    })));
  }
  if (stats.targets.length > 0) {
    lines.push("");
    lines.push(...targetLines(stats, meta));
  }
  if (stats.completed > 0) {
    lines.push("");
    lines.push(...latencyLines(stats));
    if (meta.mode === "rate") lines.push(scheduleLagLine(stats));
    lines.push("");
    lines.push(...distributionLines(stats));
    lines.push("");
    lines.push(...phaseLines(stats));
  }
  const notes = reportNotes(stats, meta);
  if (notes.length > 0) {
    lines.push("");
    for (const note of notes) lines.push(`Note: ${note}`);
  }
  return lines.join("\n") + "\n";
}
