/**
 * Request timeouts without a timer per request: each connection slot keeps
 * the deadline of the request it is working on, and one interval per
 * process expires the slots whose deadline has passed.
 *
 * @module
 */

/** Something with a deadline that can be cut short. */
export interface Expirable {
  /** `performance.now()` time after which to expire it; Infinity when idle. */
  deadline: number;
  /** Cuts the current work short (closes its socket). */
  expire(): void;
}

/** How often to sweep for a timeout: a tenth of it, within 5–250 ms. */
export function sweepIntervalMs(timeoutMs: number): number {
  return Math.min(250, Math.max(5, Math.floor(timeoutMs / 10)));
}

/** Periodically expires the items whose deadline has passed. */
export class DeadlineSweeper {
  readonly #items: readonly Expirable[];
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** Watches `items` every `intervalMs` once started. */
  constructor(items: readonly Expirable[], intervalMs: number) {
    this.#items = items;
    this.#intervalMs = intervalMs;
  }

  /** Starts sweeping. */
  start(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(
      () => this.sweep(performance.now()),
      this.#intervalMs,
    );
  }

  /** Expires every item whose deadline is at or before `now`. */
  sweep(now: number): void {
    for (const item of this.#items) {
      if (item.deadline <= now) {
        item.deadline = Infinity;
        item.expire();
      }
    }
  }

  /** Stops sweeping. */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
