/**
 * The measurement sections of the report: latency, throughput, the
 * concurrency sweep and the peer comparison, each with its method, its
 * charts and its table. Every number comes from the CSV through the
 * summaries; a part that was not measured says how to measure it.
 *
 * @module
 */

import { ofPart, type PointSummary } from "../data/aggregate.ts";
import { PEER_PAIRS, peerRatio } from "./comparisons.ts";
import { configLabel, workloadLabel } from "./labels.ts";
import {
  ascending,
  chartImage,
  configsOf,
  durations,
  partRows,
  peak,
  plural,
  point,
  repetitions,
  type ReportData,
  responseBytes,
  saturation,
  workloadsOf,
} from "./report_data.ts";
import { fmt, fmtRatio, fmtStat, listWords, table } from "./report_format.ts";
import type { StudyRow } from "../data/study_row.ts";

function notMeasured(part: string): string {
  return `_Not measured in this run: \`experiments/run_study.sh --only ${part}\` measures it._\n`;
}

function words(values: readonly number[], unit: string): string {
  return listWords(values.map((v) => `${fmt(v)}${unit}`));
}

/** Which runs a part made: lengths, repetitions, connections. */
function runShape(data: ReportData, part: string): string {
  const rows = partRows(data, part);
  const summaries = ofPart(data.summaries, part);
  const reps = repetitions(summaries);
  const lengths = durations(rows);
  const counted = ascending(
    rows.filter((r) => r.request_limit > 0).map((r) => r.request_limit),
  );
  const timeouts = ascending(rows.map((r) => r.timeout_s));
  const bounds = [
    lengths.length > 0 ? `${words(lengths, " s")} per run` : "",
    counted.length > 0
      ? `${words(counted, "")} requests per run for the largest file`
      : "",
  ].filter((t) => t !== "");
  return `Each ${part} point ran ${listWords(reps.map(String))} time${
    reps.at(-1) === 1 ? "" : "s"
  } (${listWords(bounds)}, thor \`--timeout\` ${words(timeouts, " s")}).`;
}

function modesLine(data: ReportData, part: string): string {
  const rows = partRows(data, part);
  const configs = configsOf(data.summaries, part);
  return listWords(configs.map((c) => {
    const r = rows.find((row) => row.config === c)!;
    return `${
      configLabel({ server: r.server, mode: r.mode, serverArgs: r.server_args })
    } on CPU ${r.server_cpus}`;
  }));
}

function workloadLine(
  rows: readonly StudyRow[],
  workloads: readonly string[],
): string {
  return listWords(workloads.map((w) => {
    const r = rows.find((row) => row.workload === w)!;
    const label = workloadLabel({ kind: r.kind, sizeLabel: r.size_label });
    return `${label} (\`${r.path}\`, ${
      fmt(responseBytes(rows, w))
    } bytes per response with headers)`;
  }));
}

/**
 * Connection counts of time-bound points, plus those of count-bound
 * (large file) points when they differ: `8 (2 for static 1 GiB)`.
 */
function connectionCounts(points: readonly PointSummary[]): string {
  const timed = ascending(
    points.filter((s) => s.requestLimit === 0).map((s) => s.concurrency),
  );
  const counted = points.filter((s) => s.requestLimit > 0);
  const countedLevels = ascending(counted.map((s) => s.concurrency));
  const text = words(timed, "");
  if (counted.length === 0 || countedLevels.join() === timed.join()) {
    return text || words(countedLevels, "");
  }
  return `${text} (${words(countedLevels, "")} for ${
    workloadLabel(counted[0]!)
  })`;
}

function errorsCell(s: PointSummary): string {
  return s.errors + s.non2xx === 0
    ? "0"
    : `${s.errors} failed, ${s.non2xx} non-2xx`;
}

/** The latency section. */
export function latencySection(data: ReportData): string {
  const points = ofPart(data.summaries, "latency");
  let text = "## Latency\n\n";
  if (points.length === 0) return text + notMeasured("latency");
  const rows = partRows(data, "latency");
  const conns = ascending(points.map((s) => s.concurrency));
  const workloads = workloadsOf(data.summaries, "latency");
  text += `**Method.** thor keeps ${words(conns, "")} connection${
    conns.at(-1) === 1 ? "" : "s"
  } busy in a closed loop: each sends its next request as soon as the previous response has arrived. A request's latency runs from sending it (connecting first when the server closed the previous connection) to the last byte of its response. Request types: ${
    workloadLine(rows, workloads)
  }. Modes: ${modesLine(data, "latency")}; thor on CPU ${
    rows[0]!.client_cpus
  }. ${
    runShape(data, "latency")
  } Figures are the mean of the runs' mean latencies; brackets and whiskers give the smallest and largest run.\n\n`;
  for (const c of conns) {
    text += chartImage(
      data,
      `latency_c${c}`,
      `Mean latency with ${plural(c, "connection")}`,
    );
  }
  for (const w of workloads) {
    text += chartImage(
      data,
      `percentiles_${w}`,
      `Latency percentiles of ${w} per mode`,
    );
  }
  const tableRows = points.map((s) => [
    workloadLabel(s),
    String(s.concurrency),
    configLabel(s),
    fmtStat(s.latMean),
    fmt(s.p50.mean),
    fmt(s.p99.mean),
    fmt(s.rps.mean),
    errorsCell(s),
  ]);
  text += table(
    [
      "request",
      "connections",
      "mode",
      "mean latency ms (min–max)",
      "p50 ms",
      "p99 ms",
      "req/s",
      "errors",
    ],
    tableRows,
  );
  return text + "\n";
}

/** The throughput section. */
export function throughputSection(data: ReportData): string {
  const points = ofPart(data.summaries, "throughput");
  let text = "## Throughput\n\n";
  if (points.length === 0) return text + notMeasured("throughput");
  const rows = partRows(data, "throughput");
  const conns = connectionCounts(points);
  const workloads = workloadsOf(data.summaries, "throughput");
  text +=
    `**Method.** ${conns} connections download one static file over and over: ${
      workloadLine(rows, workloads)
    }. Throughput is response bytes (head and body) per second, in decimal MB/s, as thor counts them. Modes for the downloads: ${
      modesLine(data, "throughput")
    }; thor on CPU ${rows[0]!.client_cpus}. ${
      runShape(data, "throughput")
    }\n\n`;
  text += chartImage(data, "throughput", "Throughput per file size and mode");
  text += table(
    ["file", "mode", "MB/s (min–max)", "req/s", "mean latency ms", "errors"],
    points.map((s) => [
      workloadLabel(s),
      configLabel(s),
      fmtStat(s.mbps),
      fmt(s.rps.mean),
      fmt(s.latMean.mean),
      errorsCell(s),
    ]),
  );
  return text + "\n";
}

/** The concurrency sweep section. */
export function concurrencySection(data: ReportData): string {
  const points = ofPart(data.summaries, "concurrency");
  let text = "## Concurrency\n\n";
  if (points.length === 0) return text + notMeasured("concurrency");
  const rows = partRows(data, "concurrency");
  const conns = ascending(points.map((s) => s.concurrency));
  const configs = configsOf(data.summaries, "concurrency");
  const workloads = workloadsOf(data.summaries, "concurrency");
  text += `**Method.** The same closed loop with ${
    words(conns, "")
  } client connections on ${workloadLine(rows, workloads)}. Configurations: ${
    modesLine(data, "concurrency")
  }; thor on CPU ${rows[0]!.client_cpus}. ${
    runShape(data, "concurrency")
  } A configuration *saturates* at the fewest connections where it reaches 90% of its highest mean req/s.\n\n`;
  text += chartImage(
    data,
    "concurrency_rps",
    "Requests per second against connections",
  );
  text += chartImage(
    data,
    "concurrency_p50",
    "p50 latency against connections",
  );
  text += chartImage(
    data,
    "concurrency_p99",
    "p99 latency against connections",
  );
  const label = (c: string) => configLabel(points.find((s) => s.config === c)!);
  const cell = (c: string, n: number, pick: (s: PointSummary) => string) => {
    const s = point(data, "concurrency", c, workloads[0]!, n);
    return s === undefined ? "–" : pick(s);
  };
  text += "Requests per second (mean of runs):\n\n";
  text += table(
    ["connections", ...configs.map(label)],
    conns.map((
      n,
    ) => [
      String(n),
      ...configs.map((c) => cell(c, n, (s) => fmt(s.rps.mean))),
    ]),
  );
  text += "\n\np50 / p99 latency in ms (means of runs):\n\n";
  text += table(
    ["connections", ...configs.map(label)],
    conns.map((n) => [
      String(n),
      ...configs.map((c) =>
        cell(c, n, (s) => `${fmt(s.p50.mean)} / ${fmt(s.p99.mean)}`)
      ),
    ]),
  );
  text += "\n\nSaturation:\n\n";
  text += table(
    [
      "configuration",
      "highest req/s",
      "at connections",
      "saturates at",
      "p99 there ms",
      "failed requests",
    ],
    configs.map((c) => {
      const top = peak(data, c)!;
      const sat = saturation(data, c)!;
      const failed = points.filter((s) => s.config === c).reduce(
        (a, s) => a + s.errors,
        0,
      );
      return [
        label(c),
        fmt(top.rps.mean),
        String(top.concurrency),
        String(sat.concurrency),
        fmt(sat.p99.mean),
        String(failed),
      ];
    }),
  );
  return text + "\n";
}

/** The peer comparison section. */
export function peersSection(data: ReportData): string {
  const points = ofPart(data.summaries, "peers");
  let text = "## spidey and its peers\n\n";
  if (points.length === 0) return text + notMeasured("peers");
  const rows = partRows(data, "peers");
  const conns = connectionCounts(points);
  const workloads = workloadsOf(data.summaries, "peers");
  const versions = [...new Set(rows.map((r) => r.server_version))];
  text +=
    `**Method.** In the same run and on the same files, ${conns} connections against ${
      modesLine(data, "peers")
    }; thor on CPU ${rows[0]!.client_cpus}. Versions: ${
      listWords(versions)
    }. Workloads: ${
      workloadLine(rows, workloads)
    } (listings differ in size: each server writes its own page). ${
      runShape(data, "peers")
    } A ratio is spidey's mean req/s over the peer's, each pair on the same CPUs; the range is spidey's worst run over the peer's best to its best over the peer's worst.\n\n`;
  text += chartImage(data, "peers", "spidey's req/s relative to its peers");
  const tableRows: string[][] = [];
  for (const w of workloads) {
    for (const pair of PEER_PAIRS) {
      const r = peerRatio(data.summaries, "peers", pair, w);
      if (r === undefined) continue;
      tableRows.push([
        workloadLabel(r.spidey),
        String(r.spidey.concurrency),
        configLabel(r.spidey),
        fmt(r.spidey.rps.mean),
        configLabel(r.peer),
        fmt(r.peer.rps.mean),
        `${fmtRatio(r.ratio)} (${fmtRatio(r.low)}–${fmtRatio(r.high)})`,
      ]);
    }
  }
  text += table([
    "workload",
    "connections",
    "spidey",
    "req/s",
    "peer",
    "req/s",
    "ratio (range)",
  ], tableRows);
  const noCgi = points.filter((s) => s.kind === "cgi").length > 0 &&
    [...new Set(points.map((s) => s.config))].some((c) =>
      !points.some((s) => s.config === c && s.kind === "cgi")
    );
  if (noCgi) {
    text +=
      "\n\nnginx has no CGI, so CGI is compared with lighttpd (mod_cgi) only.";
  }
  return text + "\n";
}
