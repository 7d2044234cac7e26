/**
 * `results/timing.csv`: how long each part of the study took and when it
 * ran, measured by the study itself, so the report can say how long a
 * full run takes and which parts were rerun later.
 *
 * @module
 */

import { writeFileAtomically } from "./atomic_write.ts";
import { formatCsv, parseCsvTable } from "./csv.ts";
import { StudyError } from "./errors.ts";

/** How long one part (or the file set-up) took. */
export interface PartTiming {
  /** `full` or `quick`. */
  profile: string;
  /** `files` or a part name. */
  part: string;
  /** thor runs made (0 for `files`). */
  runs: number;
  /** Seconds it took, start-ups and warm-ups included. */
  seconds: number;
  /** When it started (ISO 8601, UTC). */
  started_at: string;
}

const COLUMNS = ["profile", "part", "runs", "seconds", "started_at"] as const;

/** Timing rows as CSV text. */
export function formatTimingCsv(rows: readonly PartTiming[]): string {
  return formatCsv(COLUMNS, rows.map((r) => COLUMNS.map((c) => r[c])));
}

/** Parses timing CSV text (`CSV_SCHEMA` on a wrong header or number). */
export function parseTimingCsv(text: string): PartTiming[] {
  const table = parseCsvTable(text);
  for (const column of COLUMNS) {
    if (!table.header.includes(column)) {
      throw new StudyError(
        "CSV_SCHEMA",
        `Timing CSV lacks the column ${column}`,
      );
    }
  }
  return table.records.map((r, index) => {
    const runs = Number(r.runs);
    const seconds = Number(r.seconds);
    if (
      !Number.isFinite(runs) || !Number.isFinite(seconds) || r.seconds === ""
    ) {
      throw new StudyError(
        "CSV_SCHEMA",
        `Timing CSV record ${index + 1} has a bad number`,
      );
    }
    return {
      profile: r.profile!,
      part: r.part!,
      runs,
      seconds,
      started_at: r.started_at!,
    };
  });
}

/** Reads a timing CSV; a missing file has no rows. */
export function readTimingCsv(path: string): PartTiming[] {
  try {
    return parseTimingCsv(Deno.readTextFileSync(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

/** Writes timing rows atomically. */
export function writeTimingCsv(
  path: string,
  rows: readonly PartTiming[],
): void {
  writeFileAtomically(path, formatTimingCsv(rows));
}
