/**
 * How long a request body may take, in the manner of Apache's
 * mod_reqtimeout (`body=S,MinRate=R`): no single wait for the client may
 * pass `S`, and once `S` of waiting is used up the body must keep up an
 * average of `R` bytes/s: every `R` bytes received buy one more second.
 * A body trickled a byte at a time therefore ends at about `S`, however
 * it is paced, while a large upload on a slow link may take as long as it
 * keeps moving. Only time spent waiting for the client counts: a handler
 * that reads slowly (a CGI script busy with the first bytes) costs the
 * client nothing.
 *
 * @module
 */

/** The least average rate of a body past its grace period, in bytes/s. */
export const MIN_BODY_RATE = 500;

/** The clock of one body; times are `performance.now()` milliseconds. */
export class BodyDeadline {
  #timeoutMs: number;
  #msPerByte: number;
  #waited = 0;
  #waitStart = -1;
  #bytes = 0;

  /**
   * `timeoutMs` is both the longest single wait and the grace period
   * before `minRate` (bytes/s) applies.
   */
  constructor(timeoutMs: number, minRate = MIN_BODY_RATE) {
    this.#timeoutMs = timeoutMs;
    this.#msPerByte = 1000 / minRate;
  }

  /** True between {@linkcode startWait} and {@linkcode endWait}. */
  get waiting(): boolean {
    return this.#waitStart >= 0;
  }

  /** A read starts waiting for the client. */
  startWait(now: number): void {
    if (this.#waitStart < 0) this.#waitStart = now;
  }

  /** The read is over; `bytes` have been received in all so far. */
  endWait(now: number, bytes: number): void {
    if (this.#waitStart >= 0) this.#waited += now - this.#waitStart;
    this.#waitStart = -1;
    this.#bytes = bytes;
  }

  /**
   * Milliseconds the current wait may still last (the full allowance when
   * not waiting); 0 or less means the body is too slow.
   */
  msLeft(now: number): number {
    const current = this.#waitStart >= 0 ? now - this.#waitStart : 0;
    const stall = this.#timeoutMs - current;
    const rate = this.#timeoutMs + this.#bytes * this.#msPerByte -
      (this.#waited + current);
    return Math.min(stall, rate);
  }
}
