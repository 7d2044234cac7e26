/**
 * What the report generator works from: the rows, their summaries, the
 * part timings and which charts exist, plus small look-ups over them
 * shared by the report's sections.
 *
 * @module
 */

import {
  distinct,
  findPoint,
  ofPart,
  type PointSummary,
  summarize,
} from "../data/aggregate.ts";
import type { StudyRow } from "../data/study_row.ts";
import type { SpawnCost } from "../data/spawn_cost.ts";
import type { PartTiming } from "../data/timing.ts";

/** spidey's single-connection configuration. */
export const SINGLE = "spidey-single";
/** spidey's concurrent configuration. */
export const CONCURRENT = "spidey-concurrent";
/** spidey's multi-process configuration. */
export const MULTI = "spidey-multi";

/** Inputs of the report. */
export interface ReportData {
  /** Every run. */
  rows: StudyRow[];
  /** Runs folded into points. */
  summaries: PointSummary[];
  /** How long each part took. */
  timings: PartTiming[];
  /** Names of the charts drawn. */
  charts: ReadonlySet<string>;
  /** Folder of the charts, relative to the report. */
  chartDir: string;
  /** What starting a process cost (empty when not measured). */
  spawn: SpawnCost[];
}

/** Builds the report data from rows, timings and process start costs. */
export function reportData(
  rows: StudyRow[],
  timings: PartTiming[],
  charts: ReadonlySet<string>,
  chartDir: string,
  spawn: SpawnCost[] = [],
): ReportData {
  return {
    rows,
    summaries: summarize(rows),
    timings,
    charts,
    chartDir,
    spawn,
  };
}

/** Markdown image of chart `name`, or nothing when it was not drawn. */
export function chartImage(
  data: ReportData,
  name: string,
  alt: string,
): string {
  if (!data.charts.has(name)) return "";
  return `![${alt}](${data.chartDir}/${name}.svg)\n\n`;
}

/** Distinct numbers, ascending. */
export function ascending(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** Rows of one part. */
export function partRows(data: ReportData, part: string): StudyRow[] {
  return data.rows.filter((r) => r.part === part);
}

/** Mean response size in bytes of the rows of `workload` (head and body). */
export function responseBytes(
  rows: readonly StudyRow[],
  workload: string,
): number {
  const mine = rows.filter((r) => r.workload === workload && r.completed > 0);
  const bytes = mine.reduce((a, r) => a + r.bytes, 0);
  const completed = mine.reduce((a, r) => a + r.completed, 0);
  return completed === 0 ? 0 : bytes / completed;
}

/** The run lengths of a part, in words: `3 s`, or `2 s and 3 s`. */
export function durations(rows: readonly StudyRow[]): number[] {
  return ascending(
    rows.filter((r) => r.duration_s > 0).map((r) => r.duration_s),
  );
}

/** Repetitions per point in a part (distinct counts). */
export function repetitions(summaries: readonly PointSummary[]): number[] {
  return ascending(summaries.map((s) => s.runs));
}

/** Configurations of a part, in order. */
export function configsOf(
  summaries: readonly PointSummary[],
  part: string,
): string[] {
  return distinct(ofPart(summaries, part), (s) => s.config);
}

/** Workloads of a part, in order. */
export function workloadsOf(
  summaries: readonly PointSummary[],
  part: string,
): string[] {
  return distinct(ofPart(summaries, part), (s) => s.workload);
}

/** The point (any concurrency when left out). */
export function point(
  data: ReportData,
  part: string,
  config: string,
  workload: string,
  concurrency?: number,
): PointSummary | undefined {
  return findPoint(data.summaries, { part, config, workload, concurrency });
}

/** The highest mean req/s of a configuration in the concurrency part, and where. */
export function peak(
  data: ReportData,
  config: string,
): PointSummary | undefined {
  return peakOf(data.summaries, config);
}

/** {@linkcode peak} over summaries alone (the charts have no ReportData). */
export function peakOf(
  summaries: readonly PointSummary[],
  config: string,
): PointSummary | undefined {
  let best: PointSummary | undefined;
  for (const s of ofPart(summaries, "concurrency")) {
    if (s.config !== config) continue;
    if (best === undefined || s.rps.mean > best.rps.mean) best = s;
  }
  return best;
}

/**
 * Where a configuration saturates: the fewest connections at which its
 * mean req/s reaches `share` of its peak.
 */
export function saturation(
  data: ReportData,
  config: string,
  share = 0.9,
): PointSummary | undefined {
  return saturationOf(data.summaries, config, share);
}

/** {@linkcode saturation} over summaries alone. */
export function saturationOf(
  summaries: readonly PointSummary[],
  config: string,
  share = 0.9,
): PointSummary | undefined {
  const top = peakOf(summaries, config);
  if (top === undefined) return undefined;
  return ofPart(summaries, "concurrency")
    .filter((s) => s.config === config)
    .sort((a, b) => a.concurrency - b.concurrency)
    .find((s) => s.rps.mean >= share * top.rps.mean);
}

/** Share of a repetition-to-repetition spread: median stdev/mean of req/s. */
export function medianSpread(summaries: readonly PointSummary[]): number {
  const spreads = summaries.filter((s) => s.runs > 1 && s.rps.mean > 0).map((
    s,
  ) => s.rps.stdev / s.rps.mean)
    .sort((a, b) => a - b);
  if (spreads.length === 0) return 0;
  const mid = Math.floor(spreads.length / 2);
  return spreads.length % 2 === 1
    ? spreads[mid]!
    : (spreads[mid - 1]! + spreads[mid]!) / 2;
}

/** Connection counts of the latency part, ascending. */
export function latencyLevels(data: ReportData): number[] {
  return ascending(ofPart(data.summaries, "latency").map((s) => s.concurrency));
}

/** `1 connection`, `8 connections`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
