/**
 * The study's charts from `study.csv`: latency per request type and mode,
 * latency percentile curves, throughput per file size and mode, the concurrency curves (requests per
 * second, p50 and p99 against connections) and spidey's ratio to its
 * peers. Writes each chart's data and gnuplot script to `OUT/gnuplot/`
 * (so a chart can be redrawn by hand) and renders `OUT/NAME.svg` (and
 * `.png` with `--png`) with gnuplot, headless. An SVG whose text runs out
 * of the picture or over other text fails the step.
 *
 * Usage: deno run -A experiments/report/charts.ts --csv FILE --out DIR [--png]
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  distinct,
  ofPart,
  type PointSummary,
  summarize,
} from "../data/aggregate.ts";
import {
  barChartFiles,
  type BarSeries,
  type ChartFiles,
  type ChartFormat,
  lineChartFiles,
} from "./chart_scripts.ts";
import { PEER_PAIRS, peerRatio } from "./comparisons.ts";
import { runCli, StudyError } from "../data/errors.ts";
import { configColor, configLabel, workloadLabel } from "./labels.ts";
import { readStudyCsv } from "../data/study_row.ts";
import { saturationOf } from "./report_data.ts";
import { layoutProblems } from "./svg_layout.ts";

function barSeries(
  points: readonly PointSummary[],
  workloads: readonly string[],
  measure: (s: PointSummary) => PointSummary["rps"],
): BarSeries[] {
  return distinct(points, (s) => s.config).map((config) => {
    const mine = points.filter((s) => s.config === config);
    return {
      label: configLabel(mine[0]!),
      color: configColor(config),
      values: workloads.map((w) => {
        const point = mine.find((s) => s.workload === w);
        return point === undefined ? undefined : measure(point);
      }),
    };
  });
}

function groupLabels(
  points: readonly PointSummary[],
  workloads: readonly string[],
): string[] {
  return workloads.map((w) =>
    workloadLabel(points.find((s) => s.workload === w)!)
  );
}

/** One latency chart per connection count of the latency part. */
export function latencyCharts(
  summaries: readonly PointSummary[],
): ChartFiles[] {
  const part = ofPart(summaries, "latency");
  return distinct(part, (s) => s.concurrency).map((c) => {
    const points = part.filter((s) => s.concurrency === c);
    const workloads = distinct(points, (s) => s.workload);
    const runs = Math.max(...points.map((s) => s.runs));
    return barChartFiles({
      name: `latency_c${c}`,
      title: `Mean latency with ${c} client connection${
        c === 1 ? "" : "s"
      } (bars: mean of ${runs} run${runs === 1 ? "" : "s"}; whiskers: min-max)`,
      ylabel: "mean latency (ms, log scale)",
      logY: true,
      groups: groupLabels(points, workloads),
      series: barSeries(points, workloads, (s) => s.latMean),
      valueLabels: true,
    });
  });
}

/** Throughput per file size and mode. */
export function throughputCharts(
  summaries: readonly PointSummary[],
): ChartFiles[] {
  const part = ofPart(summaries, "throughput");
  if (part.length === 0) return [];
  const workloads = distinct(part, (s) => s.workload);
  const conns = distinct(part, (s) => s.concurrency).join("/");
  return [barChartFiles({
    name: "throughput",
    title:
      `Throughput per file size with ${conns} client connections (whiskers: min-max of runs)`,
    ylabel: "MB/s (log scale)",
    logY: true,
    groups: groupLabels(part, workloads),
    series: barSeries(part, workloads, (s) => s.mbps),
    valueLabels: true,
  })];
}

/** Requests per second, p50 and p99 against client connections. */
export function concurrencyCharts(
  summaries: readonly PointSummary[],
): ChartFiles[] {
  const part = ofPart(summaries, "concurrency");
  if (part.length === 0) return [];
  const label = workloadLabel(part[0]!);
  const configs = distinct(part, (s) => s.config);
  const measures: [
    string,
    string,
    (s: PointSummary) => PointSummary["rps"],
    boolean,
  ][] = [
    ["concurrency_rps", "requests per second", (s) => s.rps, false],
    [
      "concurrency_p50",
      "median latency p50 (ms, log scale)",
      (s) => s.p50,
      true,
    ],
    [
      "concurrency_p99",
      "99th percentile latency p99 (ms, log scale)",
      (s) => s.p99,
      true,
    ],
  ];
  // Rings on the throughput curves where each configuration saturates.
  const marks = configs.flatMap((config) => {
    const sat = saturationOf(summaries, config);
    return sat === undefined
      ? []
      : [{ x: sat.concurrency, y: sat.rps.mean, color: configColor(config) }];
  });
  return measures.map(([name, ylabel, measure, logY]) =>
    lineChartFiles({
      name,
      title: `${
        ylabel.replace(/ \(.*\)$/, "")
      } against client connections, ${label}${
        name === "concurrency_rps" ? " (rings: saturation, 90% of peak)" : ""
      }`,
      marks: name === "concurrency_rps" ? marks : undefined,
      xlabel: "client connections",
      ylabel,
      logX: true,
      logY,
      series: configs.map((config) => {
        const points = part.filter((s) => s.config === config).sort((a, b) =>
          a.concurrency - b.concurrency
        );
        return {
          label: configLabel(points[0]!),
          color: configColor(config),
          points: points.map((s) => ({ x: s.concurrency, value: measure(s) })),
        };
      }),
    })
  );
}

/** Percentiles drawn, as fractions of requests (1 = the slowest). */
const PERCENTILES: [
  number,
  string,
  (s: PointSummary) => PointSummary["rps"],
][] = [
  [0.5, "p50", (s) => s.p50],
  [0.9, "p90", (s) => s.p90],
  [0.99, "p99", (s) => s.p99],
  [0.999, "max", (s) => s.latMax],
];

/** Position on the HDR-style axis: the number of nines, log10(1/(1-p)). */
function nines(fraction: number): number {
  return Number(Math.log10(1 / (1 - fraction)).toFixed(4));
}

/**
 * Latency percentile curves per request type with the most client
 * connections of the latency part, one line per mode, on an HDR-style
 * axis that stretches the tail (p50, p90, p99, then the slowest
 * response, which the CSV records instead of p99.9).
 */
export function percentileCharts(
  summaries: readonly PointSummary[],
): ChartFiles[] {
  const part = ofPart(summaries, "latency");
  if (part.length === 0) return [];
  const high = Math.max(...part.map((s) => s.concurrency));
  const points = part.filter((s) => s.concurrency === high);
  return distinct(points, (s) => s.workload).map((workload) => {
    const mine = points.filter((s) => s.workload === workload);
    return lineChartFiles({
      name: `percentiles_${workload}`,
      title: `Latency percentiles, ${
        workloadLabel(mine[0]!)
      }, ${high} client connections (whiskers: min-max of runs)`,
      xlabel: "percentile (tail stretched: each step is ten times rarer)",
      ylabel: "latency (ms, log scale)",
      logX: false,
      logY: true,
      xtics: PERCENTILES.map(([p, label]) => ({ x: nines(p), label })),
      series: mine.map((s) => ({
        label: configLabel(s),
        color: configColor(s.config),
        points: PERCENTILES.map(([p, , measure]) => ({
          x: nines(p),
          value: measure(s),
        })),
      })),
    });
  });
}

/** spidey's requests per second over each peer's, per workload. */
export function peerCharts(summaries: readonly PointSummary[]): ChartFiles[] {
  const part = ofPart(summaries, "peers");
  const workloads = distinct(part, (s) => s.workload);
  const series: BarSeries[] = [];
  for (const pair of PEER_PAIRS) {
    const ratios = workloads.map((w) => peerRatio(part, "peers", pair, w));
    const any = ratios.find((r) => r !== undefined);
    if (any === undefined) continue;
    series.push({
      label: `${configLabel(any.spidey)} / ${configLabel(any.peer)}`,
      color: configColor(pair.peer),
      values: ratios.map((r) =>
        r === undefined ? undefined : {
          mean: r.ratio,
          min: r.low,
          max: r.high,
          stdev: 0,
          n: r.spidey.runs,
        }
      ),
    });
  }
  if (series.length === 0) return [];
  return [barChartFiles({
    name: "peers",
    title:
      "spidey's requests per second relative to its peers (1 = parity; whiskers: worst-best runs)",
    ylabel: "ratio of requests per second (log scale)",
    logY: true,
    groups: groupLabels(part, workloads),
    series,
    reference: 1,
    valueLabels: true,
  })];
}

/** Every chart the data allows. */
export function buildCharts(summaries: readonly PointSummary[]): ChartFiles[] {
  return [
    ...latencyCharts(summaries),
    ...percentileCharts(summaries),
    ...throughputCharts(summaries),
    ...concurrencyCharts(summaries),
    ...peerCharts(summaries),
  ];
}

async function gnuplot(
  dir: string,
  script: string,
  name: string,
): Promise<void> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("gnuplot", {
      cwd: dir,
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new StudyError(
        "TOOL_MISSING",
        "gnuplot is not installed (apt-get install gnuplot-nox)",
      );
    }
    throw err;
  }
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const out = await child.output();
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n").slice(
      -3,
    ).join(" | ");
    throw new StudyError(
      "GNUPLOT_FAILED",
      `gnuplot could not draw ${name}: ${why}`,
    );
  }
}

/** Writes every chart's files into `outDir/gnuplot` and renders them. */
export async function renderCharts(
  summaries: readonly PointSummary[],
  outDir: string,
  formats: readonly ChartFormat[],
): Promise<string[]> {
  const dir = `${outDir}/gnuplot`;
  Deno.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const chart of buildCharts(summaries)) {
    Deno.writeTextFileSync(`${dir}/${chart.name}.dat`, chart.data);
    Deno.writeTextFileSync(`${dir}/${chart.name}.gp`, chart.script("svg"));
    for (const format of formats) {
      await gnuplot(dir, chart.script(format), chart.name);
      const file = `${outDir}/${chart.name}.${format}`;
      if ((Deno.statSync(file).size ?? 0) === 0) {
        throw new StudyError(
          "GNUPLOT_FAILED",
          `gnuplot wrote an empty ${chart.name}.${format}`,
        );
      }
      if (format === "svg") {
        const problems = layoutProblems(Deno.readTextFileSync(file));
        if (problems.length > 0) {
          throw new StudyError(
            "GNUPLOT_FAILED",
            `${chart.name}.svg is not readable: ${problems.join("; ")}`,
          );
        }
      }
      written.push(file);
    }
  }
  return written;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      csv: { type: "string" },
      out: { type: "string" },
      png: { type: "boolean", default: false },
    },
  });
  if (values.csv === undefined || values.out === undefined) {
    throw new StudyError("USAGE", "Missing --csv FILE or --out DIR");
  }
  const rows = readStudyCsv(values.csv);
  if (rows.length === 0) {
    throw new StudyError("NO_DATA", `${values.csv} has no runs to chart`);
  }
  const formats: ChartFormat[] = values.png ? ["svg", "png"] : ["svg"];
  const written = await renderCharts(summarize(rows), values.out, formats);
  console.error(`Drew ${written.length} charts in ${values.out}`);
}

if (import.meta.main) await runCli("charts", main);
