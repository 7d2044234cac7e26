/**
 * `results/spawn_cost.csv`: what starting one process costs on this
 * machine, the price the classic forking server pays per connection and
 * that spidey's modes avoid. One record per program started (`true`, a
 * Deno no-op script): how many times, the median and range of the wall
 * time from spawn to exit, and the resident memory the process reported.
 *
 * @module
 */

import { writeFileAtomically } from "./atomic_write.ts";
import { formatCsv, parseCsvTable } from "./csv.ts";
import { StudyError } from "./errors.ts";

/** The cost of starting one kind of process. */
export interface SpawnCost {
  /** What was started: `true` or `deno`. */
  program: string;
  /** How many times it was started. */
  runs: number;
  /** Median wall time from spawn to exit, ms. */
  median_ms: number;
  /** Fastest start, ms. */
  min_ms: number;
  /** Slowest start, ms. */
  max_ms: number;
  /** Resident memory the child reported, MiB (0 when it cannot say). */
  rss_mib: number;
  /** CPUs the children were pinned to (`any` when not pinned). */
  cpus: string;
  /** When it was measured (ISO 8601, UTC). */
  timestamp: string;
}

const COLUMNS = [
  "program",
  "runs",
  "median_ms",
  "min_ms",
  "max_ms",
  "rss_mib",
  "cpus",
  "timestamp",
] as const;

const NUMERIC = ["runs", "median_ms", "min_ms", "max_ms", "rss_mib"] as const;

/** Spawn-cost rows as CSV text. */
export function formatSpawnCostCsv(rows: readonly SpawnCost[]): string {
  return formatCsv(COLUMNS, rows.map((r) => COLUMNS.map((c) => r[c])));
}

/** Parses spawn-cost CSV text (`CSV_SCHEMA` on a wrong header or number). */
export function parseSpawnCostCsv(text: string): SpawnCost[] {
  const table = parseCsvTable(text);
  for (const column of COLUMNS) {
    if (!table.header.includes(column)) {
      throw new StudyError(
        "CSV_SCHEMA",
        `Spawn-cost CSV lacks the column ${column}`,
      );
    }
  }
  return table.records.map((r, index) => {
    const numbers = NUMERIC.map((c) => Number(r[c]));
    if (numbers.some((n, i) => !Number.isFinite(n) || r[NUMERIC[i]!] === "")) {
      throw new StudyError(
        "CSV_SCHEMA",
        `Spawn-cost CSV record ${index + 1} has a bad number`,
      );
    }
    const [runs, median, min, max, rss] = numbers as [
      number,
      number,
      number,
      number,
      number,
    ];
    return {
      program: r.program!,
      runs,
      median_ms: median,
      min_ms: min,
      max_ms: max,
      rss_mib: rss,
      cpus: r.cpus!,
      timestamp: r.timestamp!,
    };
  });
}

/** Reads a spawn-cost CSV; a missing file has no rows. */
export function readSpawnCostCsv(path: string): SpawnCost[] {
  try {
    return parseSpawnCostCsv(Deno.readTextFileSync(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

/** Writes spawn-cost rows atomically. */
export function writeSpawnCostCsv(
  path: string,
  rows: readonly SpawnCost[],
): void {
  writeFileAtomically(path, formatSpawnCostCsv(rows));
}
