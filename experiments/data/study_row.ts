/**
 * One row of `results/study.csv`: one thor run (one repetition of one
 * point) with what was run, what thor measured, and the facts of the
 * machine and the programs. Converts rows to and from CSV records and
 * reads and writes whole study files.
 *
 * @module
 */

import { formatCsv, parseCsvTable } from "./csv.ts";
import { writeFileAtomically } from "./atomic_write.ts";
import { StudyError } from "./errors.ts";

/** The four questions of the study, the values of the `part` column. */
export const PARTS = ["latency", "throughput", "concurrency", "peers"] as const;
/** One of {@linkcode PARTS}. */
export type Part = typeof PARTS[number];

/** One thor run of the study. */
export interface StudyRow {
  /** `full` or `quick`. */
  profile: string;
  /** Which question the run answers: `latency`, `throughput`, `concurrency`, `peers`. */
  part: string;
  /** Server configuration, e.g. `spidey-concurrent` or `nginx-2w`. */
  config: string;
  /** `spidey`, `nginx` or `lighttpd`. */
  server: string;
  /** How the server handles connections, e.g. `concurrent`. */
  mode: string;
  /** The server's flags that select the mode, e.g. `-w 2`. */
  server_args: string;
  /** Workload name: `listing`, `cgi`, `small`, `medium`, `large`. */
  workload: string;
  /** Request type: `listing`, `static` or `cgi`. */
  kind: string;
  /** URL path requested. */
  path: string;
  /** Size of the static file in bytes (0 for listings and CGI). */
  file_bytes: number;
  /** Size as a label, e.g. `1 KiB` (empty for listings and CGI). */
  size_label: string;
  /** Client connections (thor `-c`). */
  concurrency: number;
  /** Repetition number, from 1. */
  repetition: number;
  /** thor `-d` seconds, or 0 for a run bounded by a request count. */
  duration_s: number;
  /** thor `-r` requests, or 0 for a run bounded by time. */
  request_limit: number;
  /** thor `--timeout` seconds. */
  timeout_s: number;
  /** Requests started. */
  requests: number;
  /** Responses received. */
  completed: number;
  /** Responses with a 2xx status. */
  ok: number;
  /** Requests that failed (connect, read, write, timeout, protocol...). */
  errors: number;
  /** Failures by class, e.g. `timeout:3;read:1` (empty when none). */
  error_detail: string;
  /** Responses with a status outside 2xx. */
  non_2xx: number;
  /** Connections thor opened. */
  connections_opened: number;
  /** Response bytes received, head and body. */
  bytes: number;
  /** Length of the measured run in seconds. */
  elapsed_s: number;
  /** Responses per second. */
  rps: number;
  /** Decimal megabytes per second received. */
  mbps: number;
  /** Mean latency in ms. */
  lat_mean_ms: number;
  /** Standard deviation of the latency in ms. */
  lat_stdev_ms: number;
  /** Fastest response in ms. */
  lat_min_ms: number;
  /** Median latency in ms. */
  lat_p50_ms: number;
  /** 90th percentile latency in ms. */
  lat_p90_ms: number;
  /** 99th percentile latency in ms. */
  lat_p99_ms: number;
  /** Slowest response in ms. */
  lat_max_ms: number;
  /** CPUs the server was pinned to (taskset list). */
  server_cpus: string;
  /** CPUs thor was pinned to. */
  client_cpus: string;
  /** thor's version. */
  thor_version: string;
  /** The server's version. */
  server_version: string;
  /** CPU model name. */
  cpu_model: string;
  /** Logical CPUs. */
  cores: number;
  /** Memory in GiB. */
  mem_gib: number;
  /** Kernel release. */
  kernel: string;
  /** Deno version. */
  deno_version: string;
  /** One-minute load average just before the run (the study's own load included). */
  load1: number;
  /** Busy share of all CPUs (%) in a moment just before the run, while the study was idle. */
  cpu_busy_pct: number;
  /** When the run started (ISO 8601, UTC). */
  timestamp: string;
}

/** Columns of the study CSV, in file order. */
export const STUDY_COLUMNS: readonly (keyof StudyRow)[] = [
  "profile",
  "part",
  "config",
  "server",
  "mode",
  "server_args",
  "workload",
  "kind",
  "path",
  "file_bytes",
  "size_label",
  "concurrency",
  "repetition",
  "duration_s",
  "request_limit",
  "timeout_s",
  "requests",
  "completed",
  "ok",
  "errors",
  "error_detail",
  "non_2xx",
  "connections_opened",
  "bytes",
  "elapsed_s",
  "rps",
  "mbps",
  "lat_mean_ms",
  "lat_stdev_ms",
  "lat_min_ms",
  "lat_p50_ms",
  "lat_p90_ms",
  "lat_p99_ms",
  "lat_max_ms",
  "server_cpus",
  "client_cpus",
  "thor_version",
  "server_version",
  "cpu_model",
  "cores",
  "mem_gib",
  "kernel",
  "deno_version",
  "load1",
  "cpu_busy_pct",
  "timestamp",
];

const TEXT_COLUMNS: ReadonlySet<keyof StudyRow> = new Set([
  "profile",
  "part",
  "config",
  "server",
  "mode",
  "server_args",
  "workload",
  "kind",
  "path",
  "size_label",
  "error_detail",
  "server_cpus",
  "client_cpus",
  "thor_version",
  "server_version",
  "cpu_model",
  "kernel",
  "deno_version",
  "timestamp",
]);

/** The study rows as CSV text with a header line. */
export function formatStudyCsv(rows: readonly StudyRow[]): string {
  return formatCsv(
    STUDY_COLUMNS,
    rows.map((row) => STUDY_COLUMNS.map((column) => row[column])),
  );
}

/**
 * Parses study CSV text. The header must hold every study column (extra
 * columns are ignored, so older readers survive newer files) and numeric
 * columns must hold numbers; both are `CSV_SCHEMA` errors otherwise.
 */
export function parseStudyCsv(text: string): StudyRow[] {
  const table = parseCsvTable(text);
  const missing = STUDY_COLUMNS.filter((c) => !table.header.includes(c));
  if (missing.length > 0) {
    throw new StudyError(
      "CSV_SCHEMA",
      `Study CSV lacks the column${missing.length > 1 ? "s" : ""} ${
        missing.join(", ")
      }`,
    );
  }
  return table.records.map((record, index) => {
    const row: Record<string, string | number> = {};
    for (const column of STUDY_COLUMNS) {
      const text = record[column]!;
      if (TEXT_COLUMNS.has(column)) {
        row[column] = text;
        continue;
      }
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) {
        throw new StudyError(
          "CSV_SCHEMA",
          `Study CSV record ${
            index + 1
          } has "${text}" in the numeric column ${column}`,
        );
      }
      row[column] = value;
    }
    return row as unknown as StudyRow;
  });
}

/** Reads a study CSV file; a missing file is an empty study. */
export function readStudyCsv(path: string): StudyRow[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  return parseStudyCsv(text);
}

/** Writes the rows to `path` through a temporary file and a rename. */
export function writeStudyCsv(path: string, rows: readonly StudyRow[]): void {
  writeFileAtomically(path, formatStudyCsv(rows));
}
