/**
 * How requests ended, counted: responses by status code and failures by
 * error class. The part of {@link RunStats} and {@link TargetStats} that
 * the two share, with its merge, wire form and wire checks.
 *
 * @module
 */

import { isCount } from "../common/json.ts";
import { type ErrorClass, isErrorClass } from "./error_classes.ts";

/** What is wrong with one wire entry, for the reader to word. */
export type EntryProblem =
  | "status code"
  | "status count"
  | "error class"
  | "error count";

/** Responses by status and failures by class. */
export class OutcomeCounts {
  /** Responses by status code. */
  readonly status: Map<number, number> = new Map();
  /** Failed requests by class. */
  readonly errors: Map<ErrorClass, number>;

  /** Empty counts; `errors` may start with classes at 0. */
  constructor(errors: Map<ErrorClass, number> = new Map()) {
    this.errors = errors;
  }

  /** Counts one response with `status`. */
  addResponse(status: number): void {
    this.status.set(status, (this.status.get(status) ?? 0) + 1);
  }

  /** Counts one failure of class `cls`. */
  addError(cls: ErrorClass): void {
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

  /** Adds `other`'s counts into these. */
  merge(other: OutcomeCounts): void {
    for (const [code, n] of other.status) {
      this.status.set(code, (this.status.get(code) ?? 0) + n);
    }
    for (const [cls, n] of other.errors) {
      this.errors.set(cls, (this.errors.get(cls) ?? 0) + n);
    }
  }

  /** The wire form: `status` and `errors` objects keyed by code and class. */
  toWire(): { status: Record<string, number>; errors: Record<string, number> } {
    return {
      status: Object.fromEntries(this.status),
      errors: Object.fromEntries(this.errors),
    };
  }

  /**
   * Reads the entries of a wire form's `status` object into these counts.
   * Each reader words its own complaint: `bad` makes the error for a bad
   * entry.
   *
   * @throws whatever `bad` returns, at the first bad entry.
   */
  readStatusWire(
    status: Record<string, unknown>,
    bad: (problem: EntryProblem, key: string) => Error,
  ): void {
    for (const [key, n] of Object.entries(status)) {
      if (!/^[1-9][0-9]{2}$/.test(key)) throw bad("status code", key);
      if (!isCount(n)) throw bad("status count", key);
      this.status.set(Number(key), n);
    }
  }

  /**
   * Reads the entries of a wire form's `errors` object into these counts;
   * as {@link OutcomeCounts.readStatusWire}.
   *
   * @throws whatever `bad` returns, at the first bad entry.
   */
  readErrorsWire(
    errors: Record<string, unknown>,
    bad: (problem: EntryProblem, key: string) => Error,
  ): void {
    for (const [key, n] of Object.entries(errors)) {
      if (!isErrorClass(key)) throw bad("error class", key);
      if (!isCount(n)) throw bad("error count", key);
      this.errors.set(key, n);
    }
  }
}
