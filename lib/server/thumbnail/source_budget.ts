/**
 * One byte budget for the image files thumbnails are made from, taken
 * before a file is read: the renderer's queue limits apply only once the
 * bytes are in memory, so without this N concurrent requests for N large
 * images would first hold N whole files (up to 64 MiB each).
 *
 * @module
 */

/** Default budget of a {@linkcode SourceBudget}: 128 MiB. */
export const DEFAULT_SOURCE_BUDGET_BYTES = 128 * 1024 * 1024;

/** Gives bytes back; calling it again does nothing. */
export type ReleaseBytes = () => void;

/** Bytes of source files being read or waiting to be rendered. */
export class SourceBudget {
  /** Most bytes held at once (one file alone may exceed it). */
  readonly limitBytes: number;
  #held = 0;

  /** A budget of `limitBytes`. */
  constructor(limitBytes: number = DEFAULT_SOURCE_BUDGET_BYTES) {
    this.limitBytes = Math.max(0, limitBytes);
  }

  /** Bytes taken and not yet given back. */
  get heldBytes(): number {
    return this.#held;
  }

  /**
   * Takes `bytes` and returns how to give them back, or null when they
   * do not fit. When nothing is held any size fits, so one file larger
   * than the budget still gets its turn.
   */
  tryTake(bytes: number): ReleaseBytes | null {
    if (this.#held > 0 && this.#held + bytes > this.limitBytes) return null;
    this.#held += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held -= bytes;
    };
  }
}
