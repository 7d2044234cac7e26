/**
 * One thor run: the command line for a point, running thor (pinned to the
 * client CPU, bounded by its own `-d`/`-r` and `--timeout` and killed if
 * it outlives them), and the CSV row that records it.
 *
 * @module
 */

import { pinned } from "./cpu_pinning.ts";
import { StudyError } from "../data/errors.ts";
import type { MachineFacts } from "./machine.ts";
import type { Point } from "./plan.ts";
import type { StudyRow } from "../data/study_row.ts";
import {
  errorCount,
  errorDetail,
  non2xxCount,
  parseThorSummary,
  type ThorSummary,
} from "./thor_summary.ts";

/** Seconds thor may take beyond its own bounds before it is killed. */
const THOR_GRACE_S = 60;

/** thor's arguments for `point` against `port` (one process, JSON out). */
export function thorArgs(point: Point, port: number): string[] {
  const args = ["-p", "1", "-c", String(point.concurrency)];
  if (point.durationS !== null) args.push("-d", String(point.durationS));
  else args.push("-r", String(point.requests ?? point.concurrency));
  args.push("--timeout", String(point.timeoutS), "--json");
  args.push(`http://127.0.0.1:${port}${point.workload.path}`);
  return args;
}

/** Seconds after which a thor run of `point` counts as hung. */
export function thorDeadlineS(point: Point): number {
  // A count-bound run may queue its requests behind each other, each
  // with its own timeout.
  const bound = point.durationS ?? (point.requests ?? 1) * point.timeoutS;
  return bound + point.timeoutS + THOR_GRACE_S;
}

/** How to run thor. */
export interface ThorRunner {
  /** The repository (for thor.ts and deno.json). */
  repoDir: string;
  /** Pin thor with taskset. */
  pin: boolean;
  /** CPUs for thor. */
  cpus: string;
}

/** Runs thor for `point` against `port` and returns its checked summary. */
export async function runThor(
  runner: ThorRunner,
  point: Point,
  port: number,
): Promise<ThorSummary> {
  const args = [
    "run",
    "-A",
    "--quiet",
    "--config",
    `${runner.repoDir}/deno.json`,
    `${runner.repoDir}/thor.ts`,
    ...thorArgs(point, port),
  ];
  const line = pinned(runner.pin, runner.cpus, Deno.execPath(), args);
  const out = await new Deno.Command(line.command, {
    args: line.args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(thorDeadlineS(point) * 1000),
  }).output();
  const decoder = new TextDecoder();
  const stdout = decoder.decode(out.stdout);
  if (out.signal !== null) {
    throw new StudyError(
      "THOR_FAILED",
      `thor ${args.slice(6).join(" ")} was stopped after ${
        thorDeadlineS(point)
      } s`,
    );
  }
  // Exit status 1 means some requests failed; the summary says how many.
  if (out.code > 1 || stdout.trim() === "") {
    const why = decoder.decode(out.stderr).trim().split("\n").slice(-2).join(
      " | ",
    );
    throw new StudyError(
      "THOR_FAILED",
      `thor ${args.slice(6).join(" ")} exited with status ${out.code}: ${
        why || "no output"
      }`,
    );
  }
  return parseThorSummary(stdout);
}

/** What a row needs besides the point and the summary. */
export interface RowContext {
  /** `full` or `quick`. */
  profile: string;
  /** The machine. */
  machine: MachineFacts;
  /** thor's version. */
  thorVersion: string;
  /** The server's version. */
  serverVersion: string;
  /** CPUs the server ran on. */
  serverCpus: string;
  /** CPUs thor ran on. */
  clientCpus: string;
  /** Load average before the run. */
  load1: number;
  /** Busy share of the CPUs before the run (%). */
  cpuBusyPct: number;
  /** When the run started. */
  timestamp: Date;
}

/** The CSV row of one run. */
export function studyRow(
  point: Point,
  summary: ThorSummary,
  ctx: RowContext,
): StudyRow {
  const lat = summary.latency;
  return {
    profile: ctx.profile,
    part: point.part,
    config: point.config.name,
    server: point.config.server,
    mode: point.config.mode,
    server_args: point.config.args.join(" "),
    workload: point.workload.name,
    kind: point.workload.kind,
    path: point.workload.path,
    file_bytes: point.workload.fileBytes,
    size_label: point.workload.sizeLabel,
    concurrency: point.concurrency,
    repetition: point.repetition,
    duration_s: point.durationS ?? 0,
    request_limit: point.requests ?? 0,
    timeout_s: point.timeoutS,
    requests: summary.requests,
    completed: summary.completed,
    ok: summary.ok,
    errors: errorCount(summary),
    error_detail: errorDetail(summary),
    non_2xx: non2xxCount(summary),
    connections_opened: summary.connections,
    bytes: summary.bytes,
    elapsed_s: summary.elapsedS,
    rps: summary.rps,
    mbps: summary.mbps,
    lat_mean_ms: lat.mean,
    lat_stdev_ms: lat.stdev,
    lat_min_ms: lat.min,
    lat_p50_ms: lat.p50,
    lat_p90_ms: lat.p90,
    lat_p99_ms: lat.p99,
    lat_max_ms: lat.max,
    server_cpus: ctx.serverCpus,
    client_cpus: ctx.clientCpus,
    thor_version: ctx.thorVersion,
    server_version: ctx.serverVersion,
    cpu_model: ctx.machine.cpuModel,
    cores: ctx.machine.cores,
    mem_gib: ctx.machine.memGib,
    kernel: ctx.machine.kernel,
    deno_version: ctx.machine.denoVersion,
    load1: ctx.load1,
    cpu_busy_pct: ctx.cpuBusyPct,
    timestamp: ctx.timestamp.toISOString(),
  };
}
