/**
 * The request-body bytes that may be held in memory at once, across every
 * connection of this process. Bodies are streamed and never held whole;
 * the one case that must keep a body before using it (a chunked body for a
 * CGI script, which needs its length first) takes its memory from here,
 * and goes to a temporary file when the budget is spent. So no number of
 * clients sending bodies can make the server's memory grow past it.
 *
 * @module
 */

/** The shared budget of a process: 8 MiB. */
export const BODY_MEMORY_BUDGET = 8 * 1024 * 1024;

/** A count of bytes handed out against a fixed limit. */
export class ByteBudget {
  readonly limit: number;
  #used = 0;

  /** A budget of `limit` bytes. */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** Bytes handed out now. */
  get used(): number {
    return this.#used;
  }

  /** Takes `n` bytes if they are left; false (and nothing taken) if not. */
  tryTake(n: number): boolean {
    if (this.#used + n > this.limit) return false;
    this.#used += n;
    return true;
  }

  /** Gives back `n` bytes taken before. */
  give(n: number): void {
    this.#used = Math.max(0, this.#used - n);
  }
}

/** The budget every request body of this process shares. */
export const bodyMemory: ByteBudget = new ByteBudget(BODY_MEMORY_BUDGET);
