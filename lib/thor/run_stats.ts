/**
 * What one thor process measured — requests, status codes, error classes,
 * bytes, latency — in a form that merges across processes and travels
 * between them as one line of JSON.
 *
 * Accounting is exact by construction: every request ends in exactly one
 * {@link RunStats.recordResponse} or {@link RunStats.recordError} call, and
 * those two calls are the only way `issued` grows, so
 * `issued === completed + errorCount` always holds (h2load's
 * started = succeeded + failed). A request still in flight when the run is
 * cut short is recorded by neither, as in wrk, but counted in
 * {@link RunStats.abandoned}.
 *
 * @module
 */

import { isRecord } from "../common/json.ts";
import { LatencyHistogram, WireFormatError } from "./histogram.ts";
import { PerSecond, PerSecondWireError } from "./per_second.ts";
import { PhaseStats } from "./phases.ts";
import { TargetStats } from "./target_stats.ts";
import { type EntryProblem, OutcomeCounts } from "./outcome_counts.ts";
import {
  ERROR_CLASSES,
  type ErrorClass,
  isErrorClass,
} from "./error_classes.ts";

export { WireFormatError } from "./histogram.ts";
export { ERROR_CLASSES, type ErrorClass, isErrorClass };

/** Version of the wire format written by {@link RunStats.toWire}. */
const WIRE_VERSION = 1;

function zeroErrors(): Map<ErrorClass, number> {
  return new Map(ERROR_CLASSES.map((cls) => [cls, 0]));
}

/** Measurements of one run (or the merge of several processes' runs). */
export class RunStats {
  #issued = 0;
  /** Response bytes received, head and body. */
  bytes = 0;
  // Statuses and error classes; every class is present, starting at 0.
  readonly #outcomes = new OutcomeCounts(zeroErrors());
  /** Latency of completed responses (any status), from actual send time. */
  latency: LatencyHistogram = new LatencyHistogram();
  /**
   * Latency from each request's intended send time in `--rate` mode
   * (wrk2-style coordinated omission correction); empty otherwise.
   */
  correctedLatency: LatencyHistogram = new LatencyHistogram();
  /**
   * In `--rate` mode, how late each request the schedule handed out was
   * actually sent (send time − intended time): the pacer's own lag, kept
   * apart so it can be told from server latency. Its count is the
   * requests sent.
   */
  scheduleLag: LatencyHistogram = new LatencyHistogram();
  /** Requests the `--rate` schedule planned; 0 outside rate mode. */
  scheduled = 0;
  /**
   * Requests sent but still in flight when the run was cut short (Ctrl-C,
   * or a closed-loop duration's end): neither completed nor failed.
   */
  abandoned = 0;
  /** True when the run was stopped early (Ctrl-C, or its parent gone). */
  interrupted = false;
  /** Wall time of the run in ms; a merge keeps the longest part. */
  elapsedMs = 0;
  /** Connections opened; a merge sums them. */
  connections = 0;
  /**
   * Processes that contributed: 1 per process, summed on merge. To total
   * several processes use {@link RunStats.merged}; merging them into a
   * `new RunStats()` would count that empty accumulator as a process too.
   */
  processes = 1;
  /** Requests, errors and latency by second since {@link startClock}. */
  perSecond: PerSecond = new PerSecond();
  /** DNS, connect, TLS and time-to-first-byte histograms. */
  phases: PhaseStats = new PhaseStats();
  /**
   * Per-target figures of a `--targets` run, by target index; empty for a
   * run of one URL. The load loop records into them beside the totals.
   */
  targets: TargetStats[] = [];
  #clockStart = performance.now();

  /** Creates empty stats for one process. */
  constructor() {}

  /**
   * Sets the moment per-second figures count from (the run's start, a
   * `performance.now()` value); until called it is when these stats were
   * made.
   */
  startClock(at: number = performance.now()): void {
    this.#clockStart = at;
  }

  /** The second of the run at `at` (0 before the clock's start). */
  #second(at: number = performance.now()): number {
    const s = Math.floor((at - this.#clockStart) / 1000);
    return s > 0 ? s : 0;
  }

  /**
   * The merge of `parts` (e.g. each process's stats) as new stats whose
   * `processes` is the sum of the parts' and nothing more.
   */
  static merged(parts: Iterable<RunStats>): RunStats {
    const total = new RunStats();
    total.processes = 0;
    for (const part of parts) total.merge(part);
    return total;
  }

  /**
   * Requests started that have ended, each as exactly one response or one
   * error. Only {@link recordResponse} and {@link recordError} change it.
   */
  get issued(): number {
    return this.#issued;
  }

  /**
   * Accounts one request that got a complete response.
   *
   * @param status the response status code.
   * @param latencyMs time from send to complete response.
   * @param bytes response bytes, head and body.
   * @param correctedLatencyMs in `--rate` mode, time from the intended send
   *   time to complete response.
   * @param atMs when the response completed (`performance.now()`), which
   *   the caller has already read; now when omitted.
   */
  recordResponse(
    status: number,
    latencyMs: number,
    bytes: number,
    correctedLatencyMs?: number,
    atMs?: number,
  ): void {
    // Check before touching anything, so a bad value cannot leave one
    // histogram a sample ahead of the counts.
    if (
      correctedLatencyMs !== undefined && !Number.isFinite(correctedLatencyMs)
    ) {
      throw new RangeError(
        `Corrected latency must be a finite number, got ${correctedLatencyMs}`,
      );
    }
    this.latency.recordMs(latencyMs);
    if (correctedLatencyMs !== undefined) {
      this.correctedLatency.recordMs(correctedLatencyMs);
    }
    this.perSecond.recordResponse(
      this.#second(atMs),
      Math.round(latencyMs * 1000),
    );
    this.#issued++;
    this.bytes += bytes;
    this.#outcomes.addResponse(status);
  }

  /** Accounts one request that failed with `cls`. */
  recordError(cls: ErrorClass): void {
    if (!this.errors.has(cls)) {
      throw new RangeError(`Unknown error class: ${String(cls)}`);
    }
    this.#issued++;
    this.#outcomes.addError(cls);
    this.perSecond.recordError(this.#second());
  }

  /** Scheduled requests never sent (run ended or interrupted first). */
  get unsent(): number {
    return Math.max(0, this.scheduled - this.scheduleLag.count);
  }

  /** Responses by status code. */
  get status(): Map<number, number> {
    return this.#outcomes.status;
  }

  /** Failed requests by class; every class is present, starting at 0. */
  get errors(): Map<ErrorClass, number> {
    return this.#outcomes.errors;
  }

  /** Requests that got a complete response: the sum of status counts. */
  get completed(): number {
    return this.#outcomes.completed;
  }

  /** Responses with a 2xx or 3xx status. */
  get ok(): number {
    let sum = 0;
    for (const [code, n] of this.status) {
      if (code >= 200 && code < 400) sum += n;
    }
    return sum;
  }

  /** Failed requests: the sum of error counts. */
  get errorCount(): number {
    return this.#outcomes.errorCount;
  }

  /**
   * Adds `other` into these stats: counts, bytes, connections and processes
   * are summed, histograms merged, and `elapsedMs` becomes the longer of the
   * two (processes run side by side).
   */
  merge(other: RunStats): void {
    this.#issued += other.#issued;
    this.bytes += other.bytes;
    this.#outcomes.merge(other.#outcomes);
    this.latency.merge(other.latency);
    this.correctedLatency.merge(other.correctedLatency);
    this.scheduleLag.merge(other.scheduleLag);
    this.scheduled += other.scheduled;
    this.abandoned += other.abandoned;
    this.interrupted ||= other.interrupted;
    this.elapsedMs = Math.max(this.elapsedMs, other.elapsedMs);
    this.connections += other.connections;
    this.processes += other.processes;
    this.perSecond.merge(other.perSecond);
    this.phases.merge(other.phases);
    other.targets.forEach((target, i) => {
      (this.targets[i] ??= new TargetStats()).merge(target);
    });
  }

  /** One line of JSON (no newlines) that {@link RunStats.fromWire} reads. */
  toWire(): string {
    return JSON.stringify({
      v: WIRE_VERSION,
      issued: this.#issued,
      bytes: this.bytes,
      ...this.#outcomes.toWire(),
      latency: this.latency.serialize(),
      correctedLatency: this.correctedLatency.serialize(),
      scheduleLag: this.scheduleLag.serialize(),
      scheduled: this.scheduled,
      // Both optional: lines without them (older thors) still read.
      ...(this.abandoned === 0 ? {} : { abandoned: this.abandoned }),
      ...(this.interrupted ? { interrupted: true } : {}),
      elapsedMs: this.elapsedMs,
      connections: this.connections,
      processes: this.processes,
      seconds: this.perSecond.toWire(),
      // Both optional: lines without them (older thors) still read.
      phases: this.phases.toWire(),
      ...(this.targets.length === 0
        ? {}
        : { targets: this.targets.map((t) => t.toWire()) }),
    });
  }

  /**
   * Reads a line written by {@link RunStats.toWire}.
   *
   * @throws {WireFormatError} with code `"BAD_STATS_LINE"` (or
   *   `"BAD_HISTOGRAM"` for a bad histogram inside) on malformed input.
   */
  static fromWire(line: string): RunStats {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw badLine("it is not valid JSON", error);
    }
    if (!isRecord(parsed)) throw badLine("expected a JSON object");
    if (parsed.v !== WIRE_VERSION) {
      throw badLine(`unsupported version ${JSON.stringify(parsed.v)}`);
    }
    const stats = new RunStats();
    const bytes = count(parsed, "bytes");
    const connections = count(parsed, "connections");
    const processes = count(parsed, "processes");
    const issued = count(parsed, "issued");
    const elapsedMs = parsed.elapsedMs;
    if (
      typeof elapsedMs !== "number" || !Number.isFinite(elapsedMs) ||
      elapsedMs < 0
    ) {
      throw badLine('"elapsedMs" must be a non-negative number');
    }
    if (!isRecord(parsed.status)) throw badLine('"status" must be an object');
    stats.#outcomes.readStatusWire(parsed.status, badEntry);
    if (!isRecord(parsed.errors)) throw badLine('"errors" must be an object');
    stats.#outcomes.readErrorsWire(parsed.errors, badEntry);
    if (
      typeof parsed.latency !== "string" ||
      typeof parsed.correctedLatency !== "string"
    ) {
      throw badLine('"latency" and "correctedLatency" must be strings');
    }
    stats.latency = LatencyHistogram.deserialize(parsed.latency);
    stats.correctedLatency = LatencyHistogram.deserialize(
      parsed.correctedLatency,
    );
    // Absent in lines of runs without a schedule.
    if (parsed.scheduleLag !== undefined) {
      if (typeof parsed.scheduleLag !== "string") {
        throw badLine('"scheduleLag" must be a string');
      }
      stats.scheduleLag = LatencyHistogram.deserialize(parsed.scheduleLag);
    }
    if (parsed.scheduled !== undefined) {
      stats.scheduled = count(parsed, "scheduled");
    }
    if (parsed.abandoned !== undefined) {
      stats.abandoned = count(parsed, "abandoned");
    }
    if (parsed.interrupted !== undefined) {
      if (typeof parsed.interrupted !== "boolean") {
        throw badLine('"interrupted" must be a boolean');
      }
      stats.interrupted = parsed.interrupted;
    }
    stats.#issued = issued;
    stats.bytes = bytes;
    stats.elapsedMs = elapsedMs;
    stats.connections = connections;
    stats.processes = processes;
    if (parsed.seconds !== undefined) {
      try {
        stats.perSecond = PerSecond.fromWire(parsed.seconds);
      } catch (error) {
        if (!(error instanceof PerSecondWireError)) throw error;
        const why = error.message;
        throw badLine(why.charAt(0).toLowerCase() + why.slice(1));
      }
    }
    if (parsed.phases !== undefined) {
      stats.phases = PhaseStats.fromWire(parsed.phases);
      const ttfb = stats.phases.ttfb.count;
      // At most one per response (stats built by hand may have none).
      if (ttfb > stats.completed) {
        throw badLine(
          `ttfb holds ${ttfb} samples for ${stats.completed} responses`,
        );
      }
    }
    if (parsed.targets !== undefined) {
      if (!Array.isArray(parsed.targets)) {
        throw badLine('"targets" must be an array');
      }
      stats.targets = parsed.targets.map((t: unknown, i) =>
        TargetStats.fromWire(t, i)
      );
    }
    if (issued !== stats.completed + stats.errorCount) {
      throw badLine(
        `"issued" (${issued}) is not completed plus errors (${
          stats.completed + stats.errorCount
        })`,
      );
    }
    if (stats.latency.count !== stats.completed) {
      throw badLine(
        `latency holds ${stats.latency.count} samples for ${stats.completed} responses`,
      );
    }
    // Per-second figures may cover less than the totals (stats recorded
    // before a clock existed) but never more.
    if (
      stats.perSecond.requests > stats.completed ||
      stats.perSecond.errors > stats.errorCount
    ) {
      throw badLine('"seconds" counts more requests than the totals');
    }
    return stats;
  }
}

function badLine(why: string, cause?: unknown): WireFormatError {
  return new WireFormatError(
    "BAD_STATS_LINE",
    `Stats line is invalid: ${why}`,
    cause === undefined ? undefined : { cause },
  );
}

function badEntry(problem: EntryProblem, key: string): WireFormatError {
  switch (problem) {
    case "status code":
      return badLine(`status code ${JSON.stringify(key)} is not valid`);
    case "status count":
      return badLine(`status ${key} must be a non-negative integer`);
    case "error class":
      return badLine(`unknown error class ${JSON.stringify(key)}`);
    case "error count":
      return badLine(`errors ${key} must be a non-negative integer`);
  }
}

function countValue(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw badLine(`${what} must be a non-negative integer`);
  }
  return value;
}

function count(record: Record<string, unknown>, key: string): number {
  return countValue(record[key], `"${key}"`);
}
