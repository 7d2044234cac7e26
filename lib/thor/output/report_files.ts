/**
 * Writes the report files a run or a `thor merge` asked for: `--csv`,
 * `--html` and `--hdr-out`, each from the same final stats.
 *
 * @module
 */

import type { ReportMeta } from "../report.ts";
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
