/**
 * Progress of the study on stderr: which run, how many are left and an
 * ETA. The ETA scales the planned time of the runs left by how much
 * longer than planned the finished ones took (thor's start-up, server
 * starts and warm-ups included), so it corrects itself as the study goes.
 *
 * @module
 */

import { expectedSeconds, type Point } from "./plan.ts";

/** Seconds a thor run is assumed to cost beyond its own duration. */
const RUN_OVERHEAD_S = 0.7;

/** `1h02m`, `4m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(rest).padStart(2, "0")}s`;
  return `${rest}s`;
}

/** Planned seconds of one run. */
export function plannedSeconds(point: Point): number {
  return expectedSeconds(point) + RUN_OVERHEAD_S;
}

/** Tracks finished runs against the plan. */
export class StudyProgress {
  readonly #planned: number[];
  readonly #startedAt: number;
  #done = 0;
  #plannedDone = 0;

  /** Starts tracking `points` now (`now` in ms, for tests). */
  constructor(points: readonly Point[], now: number = performance.now()) {
    this.#planned = points.map(plannedSeconds);
    this.#startedAt = now;
  }

  /** Runs in the plan. */
  get total(): number {
    return this.#planned.length;
  }

  /** Runs finished. */
  get done(): number {
    return this.#done;
  }

  /** Marks the next run finished. */
  finishOne(): void {
    this.#plannedDone += this.#planned[this.#done] ?? 0;
    this.#done++;
  }

  /** Estimated seconds left, from the pace so far (`now` in ms). */
  etaSeconds(now: number = performance.now()): number {
    const plannedLeft = this.#planned.slice(this.#done).reduce(
      (a, b) => a + b,
      0,
    );
    if (this.#plannedDone === 0) return plannedLeft;
    const pace = (now - this.#startedAt) / 1000 / this.#plannedDone;
    return plannedLeft * pace;
  }

  /** Seconds since the start (`now` in ms). */
  elapsedSeconds(now: number = performance.now()): number {
    return (now - this.#startedAt) / 1000;
  }
}

/** The counter at the start of a progress line: `[ 12/171]`. */
export function counter(index: number, total: number): string {
  const width = String(total).length;
  return `[${String(index).padStart(width)}/${total}]`;
}
