/**
 * The open-model schedule of `--rate`: request i is due at
 * `start + i / rate`, whether or not earlier ones have been answered, so a
 * stalled server shows up in latency measured from the due time (wrk2's
 * correction for coordinated omission). One timer wakes for the next due
 * request and hands out every request that is due, not one timer each.
 *
 * @module
 */

/** Hands out request numbers at a constant rate. */
export class RatePacer {
  readonly #intervalMs: number;
  readonly #limit: number;
  #start = 0;
  #next = 0;
  #stopped = false;
  #waiters: Array<(index: number) => void> = [];
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** `ratePerSecond` requests a second, at most `limit` in all. */
  constructor(ratePerSecond: number, limit = Infinity) {
    this.#intervalMs = 1000 / ratePerSecond;
    this.#limit = limit;
  }

  /** Starts the schedule at `now` (a `performance.now()` time). */
  start(now: number): void {
    this.#start = now;
  }

  /** When request `index` is due (a `performance.now()` time). */
  dueAt(index: number): number {
    return this.#start + index * this.#intervalMs;
  }

  /** How many request numbers have been handed out. */
  get handedOut(): number {
    return this.#next;
  }

  /**
   * Resolves to the next request number once it is due, or -1 when the
   * schedule is over (limit reached or stopped).
   */
  next(): Promise<number> {
    if (this.#stopped || this.#next >= this.#limit) return Promise.resolve(-1);
    if (
      this.#waiters.length === 0 && this.dueAt(this.#next) <= performance.now()
    ) {
      return Promise.resolve(this.#next++);
    }
    const waiting = new Promise<number>((resolve) =>
      this.#waiters.push(resolve)
    );
    this.#arm();
    return waiting;
  }

  /** Ends the schedule; every waiter gets -1. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    for (const resolve of this.#waiters.splice(0)) resolve(-1);
  }

  #arm(): void {
    if (this.#timer !== null) return;
    const wait = Math.max(0, this.dueAt(this.#next) - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#release();
    }, wait);
  }

  #release(): void {
    const now = performance.now();
    while (this.#waiters.length > 0) {
      if (this.#next >= this.#limit) {
        for (const resolve of this.#waiters.splice(0)) resolve(-1);
        return;
      }
      if (this.dueAt(this.#next) > now) break;
      this.#waiters.shift()!(this.#next++);
    }
    if (this.#waiters.length > 0) this.#arm();
  }
}
