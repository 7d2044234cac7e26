/**
 * What one target of a `--targets` run got: requests, statuses, error
 * classes and latency, kept beside the run's totals and merged across
 * processes by the target's index (every process has the same list).
 *
 * @module
 */

import { isCount, isRecord } from "../common/json.ts";
import { LatencyHistogram, WireFormatError } from "./histogram.ts";
import type { ErrorClass } from "./error_classes.ts";
import { OutcomeCounts } from "./outcome_counts.ts";

/** Measurements of one target. */
export class TargetStats {
  /** Requests that ended, as a response or an error. */
  issued = 0;
  // Statuses and error classes (only classes seen).
  readonly #outcomes = new OutcomeCounts();
  /** Latency of this target's complete responses. */
  latency: LatencyHistogram = new LatencyHistogram();

  /** Accounts one complete response. */
  recordResponse(status: number, latencyMs: number): void {
    this.latency.recordMs(latencyMs);
    this.issued++;
    this.#outcomes.addResponse(status);
  }

  /** Accounts one failed request. */
  recordError(cls: ErrorClass): void {
    this.issued++;
    this.#outcomes.addError(cls);
  }

  /** Responses by status code. */
  get status(): Map<number, number> {
    return this.#outcomes.status;
  }

  /** Failed requests by class (only classes seen). */
  get errors(): Map<ErrorClass, number> {
    return this.#outcomes.errors;
  }

  /** Complete responses: the sum of status counts. */
  get completed(): number {
    return this.#outcomes.completed;
  }

  /** Failed requests: the sum of error counts. */
  get errorCount(): number {
    return this.#outcomes.errorCount;
  }

  /** Adds `other` into this target's figures. */
  merge(other: TargetStats): void {
    this.issued += other.issued;
    this.#outcomes.merge(other.#outcomes);
    this.latency.merge(other.latency);
  }

  /** The wire form (a JSON-ready object). */
  toWire(): Record<string, unknown> {
    return {
      issued: this.issued,
      ...this.#outcomes.toWire(),
      latency: this.latency.serialize(),
    };
  }

  /**
   * Reads {@link TargetStats.toWire} output.
   *
   * @throws {WireFormatError} `BAD_STATS_LINE` (or `BAD_HISTOGRAM`) when
   *   malformed or inconsistent.
   * @param index the target's place in the list, for the message.
   */
  static fromWire(value: unknown, index: number): TargetStats {
    const bad = (why: string) =>
      new WireFormatError(
        "BAD_STATS_LINE",
        `Stats line is invalid: target ${index + 1} ${why}`,
      );
    if (!isRecord(value)) throw bad("must be an object");
    const { issued, status, errors, latency } = value;
    if (!isCount(issued)) throw bad("needs a count of requests");
    if (!isRecord(status) || !isRecord(errors)) {
      throw bad("needs status and errors objects");
    }
    if (typeof latency !== "string") throw bad("needs a latency string");
    const stats = new TargetStats();
    stats.issued = issued;
    stats.#outcomes.readStatusWire(
      status,
      (_, key) => bad(`has a bad status entry ${JSON.stringify(key)}`),
    );
    stats.#outcomes.readErrorsWire(
      errors,
      (_, key) => bad(`has a bad error entry ${JSON.stringify(key)}`),
    );
    stats.latency = LatencyHistogram.deserialize(latency);
    if (issued !== stats.completed + stats.errorCount) {
      throw bad("counts do not add up");
    }
    if (stats.latency.count !== stats.completed) {
      throw bad("latency does not match its responses");
    }
    return stats;
  }
}
