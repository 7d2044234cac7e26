/**
 * `thor merge FILE…`: combines the `--hdr-out` files of several runs (say,
 * one per machine) into one report, exactly: counts are summed and
 * histograms merged bucket by bucket, as a `-p` run merges its processes.
 * Prints the text report, or JSON with `--json`, and writes `--html`,
 * `--csv` and `--hdr-out` files like a run.
 *
 * Each run's seconds count from its own start, so the per-second figures
 * line up only as well as the runs were started together.
 *
 * @module
 */

import { parseFlags, UsageError } from "../common/flags.ts";
import { checkReportFiles, emitReport } from "./output/report_files.ts";
import {
  decodeStatsFile,
  type StatsFile,
  StatsFileError,
} from "./output/stats_file.ts";
import type { ReportMeta } from "./report.ts";
import { RunStats } from "./run_stats.ts";

/** The subcommand's name: thor's first argument. */
export const MERGE_COMMAND = "merge";

/** The `thor merge -h` text. */
export const MERGE_HELP =
  `thor merge: combine runs saved with --hdr-out into one report

Usage: thor merge [options] FILE...

Options:
      --json        print the summary as JSON on stdout
      --csv FILE    write the merged per-second rows to FILE
      --html FILE   write a self-contained HTML report to FILE
      --hdr-out FILE  write the merged histograms and counts to FILE
  -h, --help        show this help

Counts are summed and latency histograms merged exactly; elapsed time is
the longest run's. Exit status: 0 on success, 1 when a report file cannot
be written, 2 for usage errors, for files that are not thor stats files
and for runs of different modes.
`;

/** What `thor merge` was asked to do. */
export interface MergeOptions {
  /** Stats files to combine, in order. */
  files: string[];
  /** Print JSON instead of text. */
  json: boolean;
  /** Per-second CSV path, or null. */
  csv: string | null;
  /** HTML report path, or null. */
  html: string | null;
  /** Merged stats file path, or null. */
  hdrOut: string | null;
}

/**
 * Reads `thor merge`'s arguments (those after `merge`).
 *
 * @throws {UsageError} for unknown flags or no files.
 */
export function parseMergeArgs(
  args: readonly string[],
): { kind: "help" } | { kind: "merge"; options: MergeOptions } {
  const { values: v, positionals } = parseFlags(args, {
    json: { type: "boolean" },
    csv: { type: "string" },
    html: { type: "string" },
    "hdr-out": { type: "string" },
    help: { type: "boolean", short: "h" },
  }, { allowPositionals: true });
  if (v.help) return { kind: "help" };
  if (positionals.length === 0) {
    throw new UsageError("thor merge needs at least one stats file");
  }
  for (const flag of ["csv", "html", "hdr-out"] as const) {
    if (v[flag] === "") throw new UsageError(`--${flag} file name is empty`);
  }
  return {
    kind: "merge",
    options: {
      files: positionals,
      json: Boolean(v.json),
      csv: v.csv ?? null,
      html: v.html ?? null,
      hdrOut: v["hdr-out"] ?? null,
    },
  };
}

/** Runs that cannot be merged into one report (different modes). */
export class MergeMismatchError extends Error {
  /** Always `MIXED_MODES`. */
  readonly code = "MIXED_MODES";

  /** Creates the error with a sentence-case message. */
  constructor(message: string) {
    super(message);
    this.name = "MergeMismatchError";
  }
}

/** True when every run had the same `--targets` list (or none). */
function sameTargets(metas: readonly ReportMeta[]): boolean {
  const first = JSON.stringify(metas[0]?.targets ?? null);
  return metas.every((m) => JSON.stringify(m.targets ?? null) === first);
}

/**
 * What the merged runs were, together: the first run's target and shape,
 * processes summed, the rates summed when every run was paced, interrupted
 * when any run was, and the targets when every run had the same list.
 *
 * @throws {MergeMismatchError} when the runs' modes differ.
 */
export function mergedMeta(metas: readonly ReportMeta[]): ReportMeta {
  const first = metas[0];
  if (first === undefined) throw new RangeError("No runs to merge");
  const modes = [...new Set(metas.map((m) => m.mode))];
  if (modes.length > 1) {
    throw new MergeMismatchError(
      `Cannot merge runs of different modes (${modes.join(", ")})`,
    );
  }
  const urls = [...new Set(metas.map((m) => m.url))];
  const rates = metas.map((m) => m.rate);
  const allPaced = rates.every((r) => r !== undefined);
  return {
    url: urls.join(", "),
    method: first.method,
    processes: metas.reduce((sum, m) => sum + m.processes, 0),
    connectionsPerProcess: first.connectionsPerProcess,
    mode: first.mode,
    ...(allPaced
      ? { rate: rates.reduce<number>((sum, r) => sum + (r ?? 0), 0) }
      : {}),
    ...(metas.some((m) => m.interrupted) ? { interrupted: true } : {}),
    ...(first.targets !== undefined && sameTargets(metas)
      ? { targets: first.targets }
      : {}),
  };
}

/**
 * Merges decoded stats files into one stats and one meta. Per-target
 * figures are kept only when every run had the same targets (they add up
 * by index); otherwise they are left out and `note` says so.
 *
 * @throws {MergeMismatchError} when the runs' modes differ.
 */
export function mergeStatsFiles(
  parts: readonly StatsFile[],
): { stats: RunStats; meta: ReportMeta; note: string | null } {
  const metas = parts.map((p) => p.meta);
  const meta = mergedMeta(metas);
  const stats = RunStats.merged(parts.map((p) => p.stats));
  let note: string | null = null;
  if (!sameTargets(metas)) {
    stats.targets = [];
    note = "The runs had different targets; per-target figures are left out";
  }
  return { stats, meta, note };
}

/** A stats file that cannot be read or decoded; printed as one line. */
class BadPartError extends Error {}

function readPart(path: string): StatsFile {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (err) {
    throw new BadPartError(
      `Cannot read ${path}: ${err instanceof Error ? err.message : err}`,
    );
  }
  try {
    return decodeStatsFile(text);
  } catch (err) {
    if (err instanceof StatsFileError) {
      throw new BadPartError(`${path}: ${err.message}`);
    }
    throw err;
  }
}

/**
 * Runs `thor merge` with the arguments after `merge`; resolves to the exit
 * status: 2 for usage errors and unreadable or invalid files.
 */
export function runMerge(args: readonly string[]): number {
  let options: MergeOptions;
  try {
    const command = parseMergeArgs(args);
    if (command.kind === "help") {
      console.log(MERGE_HELP);
      return 0;
    }
    options = command.options;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(
        `thor merge: ${err.message}. Try 'thor merge -h' for help.`,
      );
      return 2;
    }
    throw err;
  }
  let merged: ReturnType<typeof mergeStatsFiles>;
  try {
    checkReportFiles(options);
    merged = mergeStatsFiles(options.files.map(readPart));
  } catch (err) {
    if (
      err instanceof BadPartError || err instanceof MergeMismatchError ||
      err instanceof UsageError
    ) {
      console.error(`thor merge: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const { stats, meta, note } = merged;
  if (note !== null) console.error(`thor merge: ${note}`);
  try {
    emitReport(stats, meta, options);
  } catch (err) {
    console.error(`thor merge: ${err instanceof Error ? err.message : err}`);
    return 1;
  }
  return 0;
}
