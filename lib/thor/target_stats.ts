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

/** Measurements of one target. */
export class TargetStats {
  /** Requests that ended, as a response or an error. */
  issued = 0;
  /** Responses by status code. */
  status: Map<number, number> = new Map();
  /** Failed requests by class (only classes seen). */
  errors: Map<ErrorClass, number> = new Map();
  /** Latency of this target's complete responses. */
  latency: LatencyHistogram = new LatencyHistogram();

  /** Accounts one complete response. */
  recordResponse(status: number, latencyMs: number): void {
    this.latency.recordMs(latencyMs);
    this.issued++;
    this.status.set(status, (this.status.get(status) ?? 0) + 1);
  }

  /** Accounts one failed request. */
  recordError(cls: ErrorClass): void {
    this.issued++;
    this.errors.set(cls, (this.errors.get(cls) ?? 0) + 1);
  }

  /** Complete responses: the sum of status counts. */
  get completed(): number {
    let sum = 0;
    for (const n of this.status.values()) sum += n;
    return sum;
  }

  /** Failed requests: the sum of error counts. */
  get errorCount(): number {
    let sum = 0;
    for (const n of this.errors.values()) sum += n;
    return sum;
  }

  /** Adds `other` into this target's figures. */
  merge(other: TargetStats): void {
    this.issued += other.issued;
    for (const [code, n] of other.status) {
      this.status.set(code, (this.status.get(code) ?? 0) + n);
    }
    for (const [cls, n] of other.errors) {
      this.errors.set(cls, (this.errors.get(cls) ?? 0) + n);
    }
    this.latency.merge(other.latency);
  }

  /** The wire form (a JSON-ready object). */
  toWire(): Record<string, unknown> {
    return {
      issued: this.issued,
      status: Object.fromEntries(this.status),
      errors: Object.fromEntries(this.errors),
      latency: this.latency.serialize(),
    };
  }

  /**
   * Reads {@link TargetStats.toWire} output.
   *
   * @throws {WireFormatError} `BAD_STATS_LINE` (or `BAD_HISTOGRAM`) when
   *   malformed or inconsistent.
   * @param isErrorClass tells the error classes (passed in: `RunStats`
   *   reads this, so this module must not import its value).
   */
  static fromWire(
    value: unknown,
    index: number,
    isErrorClass: (name: string) => name is ErrorClass,
  ): TargetStats {
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
    for (const [key, n] of Object.entries(status)) {
      if (!/^[1-9][0-9]{2}$/.test(key) || !isCount(n)) {
        throw bad(`has a bad status entry ${JSON.stringify(key)}`);
      }
      stats.status.set(Number(key), n);
    }
    for (const [key, n] of Object.entries(errors)) {
      if (!isErrorClass(key) || !isCount(n)) {
        throw bad(`has a bad error entry ${JSON.stringify(key)}`);
      }
      stats.errors.set(key, n);
    }
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
