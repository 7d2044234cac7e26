/**
 * How many CGI scripts run at once: a fixed number of slots and a bounded
 * queue of requests waiting for one, served first come first served. A
 * request that finds the queue full, or waits too long, is turned away
 * (the caller answers 503) instead of piling up processes: each spawn
 * costs the server's event loop a little, and a burst of hundreds at once
 * stalls every other request.
 *
 * @module
 */

/** Gives a slot back; calling it again does nothing. */
export type ReleaseSlot = () => void;

interface Waiter {
  grant: (release: ReleaseSlot | null) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Slots for running scripts, and the queue in front of them. */
export class CgiLimiter {
  readonly maxRunning: number;
  readonly maxWaiting: number;
  #running = 0;
  // A Set keeps insertion order and drops a waiter that timed out in O(1).
  #queue = new Set<Waiter>();

  /** `maxRunning` slots (at least 1) and room for `maxWaiting` to wait. */
  constructor(maxRunning: number, maxWaiting: number) {
    this.maxRunning = Math.max(1, maxRunning);
    this.maxWaiting = Math.max(0, maxWaiting);
  }

  /** Scripts running now. */
  get running(): number {
    return this.#running;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.#queue.size;
  }

  /**
   * Resolves to the release function of a slot once one is free; to null
   * at once when the queue is full, after `waitMs` in the queue, or when
   * the signal `gone` gives aborts (the client left: no script should run
   * for it). `gone` is asked only when the request has to wait: watching
   * a client costs a read, which a free slot does not need.
   */
  acquire(
    waitMs: number,
    gone?: () => AbortSignal,
  ): Promise<ReleaseSlot | null> {
    if (this.#running < this.maxRunning && this.#queue.size === 0) {
      this.#running++;
      return Promise.resolve(this.#releaser());
    }
    if (this.#queue.size >= this.maxWaiting) return Promise.resolve(null);
    const signal = gone?.();
    if (signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const leave = () => {
        this.#queue.delete(waiter);
        clearTimeout(waiter.timer);
        resolve(null);
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener("abort", leave);
          resolve(release);
        },
        timer: setTimeout(() => {
          signal?.removeEventListener("abort", leave);
          this.#queue.delete(waiter);
          resolve(null);
        }, waitMs),
      };
      signal?.addEventListener("abort", leave, { once: true });
      this.#queue.add(waiter);
    });
  }

  #releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running--;
      this.#next();
    };
  }

  #next(): void {
    for (const waiter of this.#queue) {
      if (this.#running >= this.maxRunning) return;
      this.#queue.delete(waiter);
      clearTimeout(waiter.timer);
      this.#running++;
      waiter.grant(this.#releaser());
    }
  }
}
