/**
 * Repetitions folded into points: for each (part, configuration,
 * workload, connections) the mean, minimum, maximum and standard
 * deviation of each measure across its repetitions. Charts and the
 * report read only these summaries, so they agree with each other and
 * with the CSV.
 *
 * @module
 */

import type { StudyRow } from "./study_row.ts";

/** A measure across repetitions. */
export interface Stat {
  /** Arithmetic mean. */
  mean: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Sample standard deviation (0 for one value). */
  stdev: number;
  /** Number of values. */
  n: number;
}

/** The statistics of `values` (all zero for none). */
export function stat(values: readonly number[]): Stat {
  const n = values.length;
  if (n === 0) return { mean: 0, min: 0, max: 0, stdev: 0, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1
    ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)
    : 0;
  return {
    mean,
    min: Math.min(...values),
    max: Math.max(...values),
    stdev: Math.sqrt(variance),
    n,
  };
}

/** One point of the study with its repetitions folded. */
export interface PointSummary {
  /** Part. */
  part: string;
  /** Configuration name. */
  config: string;
  /** Server program. */
  server: string;
  /** Connection handling mode. */
  mode: string;
  /** Server flags. */
  serverArgs: string;
  /** Workload name. */
  workload: string;
  /** Request type. */
  kind: string;
  /** Static file size label (empty otherwise). */
  sizeLabel: string;
  /** Static file size in bytes. */
  fileBytes: number;
  /** Client connections. */
  concurrency: number;
  /** Seconds per run (0 when count-bound). */
  durationS: number;
  /** Requests per run when count-bound (0 otherwise). */
  requestLimit: number;
  /** Repetitions. */
  runs: number;
  /** Responses received, all repetitions. */
  completed: number;
  /** Failed requests, all repetitions. */
  errors: number;
  /** Non-2xx responses, all repetitions. */
  non2xx: number;
  /** Requests per second. */
  rps: Stat;
  /** MB/s. */
  mbps: Stat;
  /** Mean latency (ms). */
  latMean: Stat;
  /** Median latency (ms). */
  p50: Stat;
  /** 90th percentile latency (ms). */
  p90: Stat;
  /** 99th percentile latency (ms). */
  p99: Stat;
  /** Slowest response (ms). */
  latMax: Stat;
}

function pointKey(row: StudyRow): string {
  return `${row.part}\u0000${row.config}\u0000${row.workload}\u0000${row.concurrency}`;
}

/** Folds the rows into points, in the order the points first appear. */
export function summarize(rows: readonly StudyRow[]): PointSummary[] {
  const groups = new Map<string, StudyRow[]>();
  for (const row of rows) {
    const key = pointKey(row);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const of = (pick: (r: StudyRow) => number) => stat(group.map(pick));
    const sum = (pick: (r: StudyRow) => number) =>
      group.reduce((a, r) => a + pick(r), 0);
    return {
      part: first.part,
      config: first.config,
      server: first.server,
      mode: first.mode,
      serverArgs: first.server_args,
      workload: first.workload,
      kind: first.kind,
      sizeLabel: first.size_label,
      fileBytes: first.file_bytes,
      concurrency: first.concurrency,
      durationS: first.duration_s,
      requestLimit: first.request_limit,
      runs: group.length,
      completed: sum((r) => r.completed),
      errors: sum((r) => r.errors),
      non2xx: sum((r) => r.non_2xx),
      rps: of((r) => r.rps),
      mbps: of((r) => r.mbps),
      latMean: of((r) => r.lat_mean_ms),
      p50: of((r) => r.lat_p50_ms),
      p90: of((r) => r.lat_p90_ms),
      p99: of((r) => r.lat_p99_ms),
      latMax: of((r) => r.lat_max_ms),
    };
  });
}

/** What identifies a point. */
export interface PointQuery {
  /** Part. */
  part: string;
  /** Configuration. */
  config: string;
  /** Workload. */
  workload: string;
  /** Connections; any when left out. */
  concurrency?: number;
}

/** The summary matching `query`, if measured. */
export function findPoint(
  summaries: readonly PointSummary[],
  query: PointQuery,
): PointSummary | undefined {
  return summaries.find((s) =>
    s.part === query.part && s.config === query.config &&
    s.workload === query.workload &&
    (query.concurrency === undefined || s.concurrency === query.concurrency)
  );
}

/** Distinct values of `pick` over `summaries`, in first-seen order. */
export function distinct<T>(
  summaries: readonly PointSummary[],
  pick: (s: PointSummary) => T,
): T[] {
  const seen: T[] = [];
  for (const s of summaries) {
    const value = pick(s);
    if (!seen.includes(value)) seen.push(value);
  }
  return seen;
}

/** The summaries of one part. */
export function ofPart(
  summaries: readonly PointSummary[],
  part: string,
): PointSummary[] {
  return summaries.filter((s) => s.part === part);
}
