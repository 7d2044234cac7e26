/**
 * `--csv FILE`: a run second by second as comma-separated values, one row
 * per second, for a spreadsheet or a plotting script.
 *
 * @module
 */

import type { RunStats } from "../run_stats.ts";

/** The first line of the file. */
export const CSV_HEADER = "second,requests,errors,p50_ms,p99_ms";

/**
 * The CSV text of `stats`: a header, then one row per second from 0 up to
 * the run's length (quiet seconds included, their latencies empty): the
 * second's start in seconds since the run began, responses completed in
 * it, requests failed in it, and p50/p99 of its responses in ms. A run
 * longer than 1024 s has rows of 2, 4… seconds (bounded memory).
 */
export function formatCsv(stats: RunStats): string {
  const rows = stats.perSecond.rows(Math.ceil(stats.elapsedMs / 1000));
  const lines = [CSV_HEADER];
  for (const row of rows) {
    lines.push(
      [
        row.second,
        row.requests,
        row.errors,
        row.p50Ms === null ? "" : row.p50Ms.toFixed(3),
        row.p99Ms === null ? "" : row.p99Ms.toFixed(3),
      ].join(","),
    );
  }
  return lines.join("\n") + "\n";
}
