/**
 * The headline findings (used in the Summary) and the Conclusions of the
 * report: the best configuration per workload, where each mode
 * saturates, the peer ratios and which mode to run on this machine, all
 * chosen by comparing measured numbers.
 *
 * @module
 */

import { ofPart, type PointSummary, type Stat } from "../data/aggregate.ts";
import { configLabel, workloadLabel } from "./labels.ts";
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
import { fmt, fmtRatio, listWords, rangesOverlap } from "./report_format.ts";

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

/**
 * `best` named alone when its runs beat every other configuration's,
 * else together with those whose ranges overlap it: no winner is
 * declared that the repetitions do not support.
 */
function winners(
  data: ReportData,
  best: PointSummary,
  measure: (s: PointSummary) => Stat,
): string {
  const rivals = ofPart(data.summaries, best.part).filter((s) =>
    s.workload === best.workload && s.concurrency === best.concurrency &&
    s.config !== best.config && rangesOverlap(measure(s), measure(best))
  );
  if (rivals.length === 0) return configLabel(best);
  return `${listWords([best, ...rivals].map(configLabel))} (runs overlap)`;
}

/** Headline findings, for the Summary. */
export function headlines(data: ReportData): string[] {
  const out: string[] = [];
  const high = latencyLevels(data).at(-1);
  if (high !== undefined) {
    const best = bestPer(data, "latency", high, (s) => -s.latMean.mean);
    out.push(
      `Lowest mean latency with ${plural(high, "client")}: ${
        listWords(best.map((s) =>
          `${
            winners(data, s, (p) => p.latMean)
          } for ${workloadLabel(s)} (${fmt(s.latMean.mean)} ms)`
        ))
      }.`,
    );
  }
  const fastest = bestPer(data, "throughput", undefined, (s) => s.mbps.mean);
  if (fastest.length > 0) {
    out.push(
      `Highest throughput: ${
        listWords(fastest.map((s) =>
          `${
            winners(data, s, (p) => p.mbps)
          } for ${workloadLabel(s)} (${fmt(s.mbps.mean)} MB/s)`
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
  return out;
}

/**
 * The Conclusions section: what to run and what the forking model would
 * change, in sentences of their own (the figures are in the sections
 * above and are not repeated here).
 */
export function conclusionsSection(data: ReportData): string {
  let text = "## Conclusions\n\n";
  if (data.summaries.length === 0) {
    return text + "_No measurements to conclude from._\n";
  }
  const topMulti = peak(data, MULTI);
  const topConc = peak(data, CONCURRENT);
  if (topMulti !== undefined && topConc !== undefined) {
    const gain = topMulti.rps.mean / topConc.rps.mean;
    const ratio = fmtRatio(gain);
    const choice = rangesOverlap(topMulti.rps, topConc.rps)
      ? "multi-process and concurrent mode reach peaks with no measurable difference, so concurrent mode does as well with one CPU and one process"
      : gain >= 1.25
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
  const plain = data.spawn.find((s) => s.program === "true");
  if (plain !== undefined) {
    text +=
      `- A process per connection, the classic forking design, is not worth building in Deno here: each connection would first wait for a program to start, which alone takes longer than spidey needs to answer a small request.\n`;
  }
  text +=
    `- Claims of a difference in this report rest on runs whose ranges do not overlap; where they overlap the report says so, and the results listed as unexplained need a measurement the study does not make yet (server CPU time).\n`;
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
