/**
 * Writes the report files a run or a `thor merge` asked for: `--csv`,
 * `--html` and `--hdr-out`, each from the same final stats.
 *
 * @module
 */

import { UsageError } from "../../common/flags.ts";
import { writeStdout } from "../../common/net.ts";
import { formatTextReport, type ReportMeta, summaryJson } from "../report.ts";
import type { RunStats } from "../run_stats.ts";
import { formatCsv } from "./csv_output.ts";
import { formatHtmlReport } from "./html_report.ts";
import { encodeStatsFile } from "./stats_file.ts";

/** Which report files to write; null skips one. */
export interface ReportFiles {
  /** Per-second CSV path. */
  csv: string | null;
  /** HTML report path. */
  html: string | null;
  /** Stats file path (for `thor merge`). */
  hdrOut: string | null;
}

/**
 * Checks, before a run, that each requested file can be written (creating
 * it empty when missing), so that a bad path is found at once rather than
 * after the whole run.
 *
 * @throws {UsageError} naming the path and why.
 */
export function checkReportFiles(files: ReportFiles): void {
  for (const path of [files.csv, files.html, files.hdrOut]) {
    if (path === null) continue;
    try {
      Deno.openSync(path, { write: true, create: true }).close();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new UsageError(`Cannot write ${path}: ${why}`);
    }
  }
}

/**
 * Prints the report of `stats` on stdout (JSON with `json`, else text),
 * then writes the requested report files: one order for a run and for
 * `thor merge`.
 *
 * @throws {Deno.errors.NotFound} and other file-system errors, with the
 *   path in the message.
 */
export function emitReport(
  stats: RunStats,
  meta: ReportMeta,
  options: ReportFiles & { json: boolean },
): void {
  const text = options.json
    ? `${JSON.stringify(summaryJson(stats, meta))}\n`
    : formatTextReport(stats, meta);
  writeStdout(new TextEncoder().encode(text));
  writeReportFiles(stats, meta, options);
}

/**
 * Writes each requested file.
 *
 * @throws {Deno.errors.NotFound} and other file-system errors, with the
 *   path in the message.
 */
export function writeReportFiles(
  stats: RunStats,
  meta: ReportMeta,
  files: ReportFiles,
): void {
  const jobs: Array<[string | null, () => string]> = [
    [files.csv, () => formatCsv(stats)],
    [files.html, () => formatHtmlReport(stats, meta)],
    [files.hdrOut, () => encodeStatsFile(stats, meta)],
  ];
  for (const [path, text] of jobs) {
    if (path === null) continue;
    try {
      Deno.writeTextFileSync(path, text());
    } catch (err) {
      if (err instanceof Error) {
        err.message = `Cannot write ${path}: ${err.message}`;
      }
      throw err;
    }
  }
}
