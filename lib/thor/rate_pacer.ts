/**
 * The open-model schedule of `--rate`: request i is due at
 * `start + i / rate`, whether or not earlier ones have been answered, so a
 * stalled server shows up in latency measured from the due time (wrk2's
 * correction for coordinated omission).
 *
 * Timers fire late (about 1 ms typically, several under load), and that
 * lateness would add to corrected latency as if the server had been slow.
 * So the pacer sets its timer a little before the next due time (by the
 * lateness it has seen lately) and then polls once per event-loop turn
 * with `setImmediate`, which runs after I/O has been polled (a
 * MessageChannel ping-pong starves I/O), handing out every request whose
 * time has come in one turn. What lateness remains is measured by the
 * caller as schedule lag.
 *
 * @module
 */

import { clearImmediate, setImmediate } from "node:timers";

/** Shortest head start the timer gets before a due time, in ms. */
const MIN_EARLY_MS = 1;
/** Longest head start, so a stall of the event loop is not polled away. */
const MAX_EARLY_MS = 8;
/** How fast the remembered timer lateness fades, per wake-up. */
const EARLY_DECAY = 0.95;

/**
 * Requests due within `durationMs` at `rate` per second: those with
 * `i / rate < duration`, at least 1.
 */
export function scheduledCount(rate: number, durationMs: number): number {
  // toPrecision drops binary noise, so 2000 × 30 s is 60000, not 60001.
  const exact = Number((rate * durationMs / 1000).toPrecision(12));
  return Math.max(1, Math.ceil(exact));
}

/**
 * Process `index`'s share of `total` requests split over `processes`:
 * floor or ceil of the even share, so the shares sum to `total` exactly.
 */
export function shareOf(
  total: number,
  processes: number,
  index: number,
): number {
  const base = Math.floor(total / processes);
  return base + (index < total % processes ? 1 : 0);
}

/** Hands out request numbers at a constant rate. */
export class RatePacer {
  readonly #intervalMs: number;
  readonly #limit: number;
  #start = 0;
  #next = 0;
  #stopped = false;
  #waiters: Array<(index: number) => void> = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #poll: ReturnType<typeof setImmediate> | null = null;
  #earlyMs = MIN_EARLY_MS;

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

  /** The most requests this pacer hands out. */
  get limit(): number {
    return this.#limit;
  }

  /**
   * Resolves to the next request number once it is due, or -1 when the
   * schedule is over (limit reached or stopped).
   */
  next(): Promise<number> {
    if (this.#stopped || this.#next >= this.#limit) {
      this.#closePoll();
      return Promise.resolve(-1);
    }
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
    this.#closePoll();
    for (const resolve of this.#waiters.splice(0)) resolve(-1);
  }

  #arm(): void {
    if (this.#timer !== null || this.#poll !== null || this.#stopped) return;
    const target = this.dueAt(this.#next);
    const wait = target - performance.now();
    if (wait <= this.#earlyMs) {
      this.#pollSoon();
      return;
    }
    const wakeAt = target - this.#earlyMs;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      // Remember how late timers run, so the next one starts early enough.
      const late = performance.now() - wakeAt;
      this.#earlyMs = Math.min(
        MAX_EARLY_MS,
        Math.max(MIN_EARLY_MS, late + 0.5, this.#earlyMs * EARLY_DECAY),
      );
      this.#release();
    }, wait - this.#earlyMs);
  }

  /** One event-loop turn from now (I/O runs in between), release again. */
  #pollSoon(): void {
    this.#poll = setImmediate(() => {
      this.#poll = null;
      this.#release();
    });
  }

  #closePoll(): void {
    if (this.#poll === null) return;
    clearImmediate(this.#poll);
    this.#poll = null;
  }

  #release(): void {
    if (this.#stopped) return;
    const now = performance.now();
    while (this.#waiters.length > 0) {
      if (this.#next >= this.#limit) {
        this.#closePoll();
        for (const resolve of this.#waiters.splice(0)) resolve(-1);
        return;
      }
      if (this.dueAt(this.#next) > now) break;
      this.#waiters.shift()!(this.#next++);
    }
    if (this.#waiters.length > 0) this.#arm();
  }
}
