/**
 * `--hdr-out FILE`: a run's histograms and counts (the RunStats wire form)
 * with what was run, as versioned JSON that `thor merge` reads back, so
 * runs on several machines can be combined exactly.
 *
 * @module
 */

import { isRecord } from "../../common/json.ts";
import type { ReportMeta, ReportTarget } from "../report.ts";
import { RunStats, WireFormatError } from "../run_stats.ts";

/** The `format` field every stats file carries. */
export const STATS_FILE_FORMAT = "thor-stats";
/** The version of the stats file written by {@link encodeStatsFile}. */
export const STATS_FILE_VERSION = 1;

/** A stats file that cannot be read; `code` is `"BAD_STATS_FILE"`. */
export class StatsFileError extends Error {
  /** A stable identifier for the kind of failure. */
  readonly code = "BAD_STATS_FILE";

  /** Creates the error with a sentence-case message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StatsFileError";
  }
}

/** What a stats file holds. */
export interface StatsFile {
  /** What was run. */
  meta: ReportMeta;
  /** What it measured. */
  stats: RunStats;
}

/** The text of a stats file for `stats` and `meta` (one JSON object). */
export function encodeStatsFile(stats: RunStats, meta: ReportMeta): string {
  return JSON.stringify({
    format: STATS_FILE_FORMAT,
    version: STATS_FILE_VERSION,
    meta,
    stats: JSON.parse(stats.toWire()),
  }) + "\n";
}

function isReportTarget(value: unknown): value is ReportTarget {
  return isRecord(value) && typeof value.method === "string" &&
    typeof value.url === "string" && typeof value.weight === "number" &&
    Number.isSafeInteger(value.weight) && value.weight >= 1;
}

function decodeMeta(value: unknown): ReportMeta {
  const bad = (why: string) => new StatsFileError(`Stats file meta ${why}`);
  if (!isRecord(value)) throw bad("must be an object");
  const {
    url,
    method,
    processes,
    connectionsPerProcess,
    mode,
    rate,
    interrupted,
    targets,
  } = value;
  if (typeof url !== "string" || typeof method !== "string") {
    throw bad("needs url and method strings");
  }
  for (const n of [processes, connectionsPerProcess]) {
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) {
      throw bad("needs positive processes and connectionsPerProcess");
    }
  }
  if (mode !== "count" && mode !== "duration" && mode !== "rate") {
    throw bad(`has an unknown mode ${JSON.stringify(mode)}`);
  }
  if (rate !== undefined && !(typeof rate === "number" && rate > 0)) {
    throw bad("has a rate that is not a positive number");
  }
  if (interrupted !== undefined && typeof interrupted !== "boolean") {
    throw bad("has an interrupted that is not a boolean");
  }
  if (
    targets !== undefined &&
    !(Array.isArray(targets) && targets.every(isReportTarget))
  ) {
    throw bad("has targets that are not {method, url, weight} objects");
  }
  return {
    url,
    method,
    processes: processes as number,
    connectionsPerProcess: connectionsPerProcess as number,
    mode,
    ...(rate === undefined ? {} : { rate: rate as number }),
    ...(interrupted === true ? { interrupted } : {}),
    ...(targets === undefined ? {} : { targets }),
  };
}

/**
 * Reads the text of a stats file.
 *
 * @throws {StatsFileError} when it is not JSON, not a thor stats file, of
 *   another version, or its contents are malformed.
 */
export function decodeStatsFile(text: string): StatsFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StatsFileError("Stats file is not valid JSON", { cause: error });
  }
  if (!isRecord(parsed) || parsed.format !== STATS_FILE_FORMAT) {
    throw new StatsFileError(
      `Not a thor stats file (no "format": "${STATS_FILE_FORMAT}")`,
    );
  }
  if (parsed.version !== STATS_FILE_VERSION) {
    throw new StatsFileError(
      `Stats file version ${
        JSON.stringify(parsed.version)
      } is not supported (this thor reads version ${STATS_FILE_VERSION})`,
    );
  }
  const meta = decodeMeta(parsed.meta);
  if (!isRecord(parsed.stats)) {
    throw new StatsFileError('Stats file "stats" must be an object');
  }
  try {
    return { meta, stats: RunStats.fromWire(JSON.stringify(parsed.stats)) };
  } catch (error) {
    if (!(error instanceof WireFormatError)) throw error;
    throw new StatsFileError(error.message, { cause: error });
  }
}
