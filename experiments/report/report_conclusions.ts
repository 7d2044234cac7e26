/**
 * The headline findings (used in the Summary) and the Conclusions of the
 * report: the best configuration per workload, where each mode
 * saturates, the peer ratios and which mode to run on this machine, all
 * chosen by comparing measured numbers.
 *
 * @module
 */

import { ofPart, type PointSummary } from "../data/aggregate.ts";
import { configLabel, workloadLabel } from "./labels.ts";
import { peerLines } from "./report_analysis.ts";
import {
  CONCURRENT,
  latencyLevels,
  MULTI,
  peak,
  plural,
  type ReportData,
  saturation,
  SINGLE,
  workloadsOf,
} from "./report_data.ts";
import { fmt, fmtRatio, listWords } from "./report_format.ts";

/** The best configuration of each workload of a part by `score`. */
function bestPer(
  data: ReportData,
  part: string,
  concurrency: number | undefined,
  score: (s: PointSummary) => number,
): PointSummary[] {
  return workloadsOf(data.summaries, part).flatMap((w) => {
    const points = ofPart(data.summaries, part).filter((s) =>
      s.workload === w &&
      (concurrency === undefined || s.concurrency === concurrency)
    );
    if (points.length === 0) return [];
    return [points.reduce((a, b) => (score(b) > score(a) ? b : a))];
  });
}

/** Headline findings, for the Summary and the Conclusions. */
export function headlines(data: ReportData): string[] {
  const out: string[] = [];
  const high = latencyLevels(data).at(-1);
  if (high !== undefined) {
    const best = bestPer(data, "latency", high, (s) => -s.latMean.mean);
    out.push(
      `Lowest mean latency with ${plural(high, "client")}: ${
        listWords(best.map((s) =>
          `${configLabel(s)} for ${workloadLabel(s)} (${
            fmt(s.latMean.mean)
          } ms)`
        ))
      }.`,
    );
  }
  const fastest = bestPer(data, "throughput", undefined, (s) => s.mbps.mean);
  if (fastest.length > 0) {
    out.push(
      `Highest throughput: ${
        listWords(fastest.map((s) =>
          `${configLabel(s)} for ${workloadLabel(s)} (${fmt(s.mbps.mean)} MB/s)`
        ))
      }.`,
    );
  }
  const sweep = ofPart(data.summaries, "concurrency").filter((s) =>
    s.server === "spidey"
  );
  if (sweep.length > 0) {
    const configs = [...new Set(sweep.map((s) => s.config))];
    out.push(
      `Saturation on ${workloadLabel(sweep[0]!)}: ${
        listWords(configs.map((c) => {
          const top = peak(data, c)!;
          return `${configLabel(top)} peaks at ${fmt(top.rps.mean)} req/s (${
            plural(top.concurrency, "connection")
          }, 90% from ${saturation(data, c)!.concurrency})`;
        }))
      }.`,
    );
  }
  out.push(...peerLines(data));
  return out;
}

/** The Conclusions section. */
export function conclusionsSection(data: ReportData): string {
  const lines = headlines(data);
  let text = "## Conclusions\n\n";
  if (lines.length === 0) return text + "_No measurements to conclude from._\n";
  text += lines.map((l) => `- ${l}`).join("\n") + "\n";
  const topMulti = peak(data, MULTI);
  const topConc = peak(data, CONCURRENT);
  if (topMulti !== undefined && topConc !== undefined) {
    const gain = topMulti.rps.mean / topConc.rps.mean;
    const ratio = fmtRatio(gain);
    const choice = gain >= 1.25
      ? `multi-process mode is the one to run for throughput (${ratio} concurrent mode's peak)`
      : gain > 1.1
      ? `multi-process mode has a small edge at peak throughput (${ratio} concurrent mode's), for twice the CPUs and processes`
      : gain >= 0.9
      ? `multi-process and concurrent mode reach about the same peak (${ratio}), so concurrent mode does as well with one CPU`
      : gain > 0.8
      ? `concurrent mode has a small edge at peak throughput (multi-process reaches ${ratio} of its peak)`
      : `concurrent mode is the one to run (multi-process reaches only ${ratio} of its peak)`;
    const single = singleIsWorst(data)
      ? "; single-connection mode, the slowest at its best, is for teaching and debugging rather than serving"
      : "";
    text += `- On this machine, ${choice}${single}.\n`;
  }
  return text;
}

/** True when single-connection mode has the lowest peak of spidey's modes. */
function singleIsWorst(data: ReportData): boolean {
  const single = peak(data, SINGLE);
  const others = [peak(data, CONCURRENT), peak(data, MULTI)].filter((p) =>
    p !== undefined
  );
  return single !== undefined && others.length > 0 &&
    others.every((p) => p.rps.mean > single.rps.mean);
}
