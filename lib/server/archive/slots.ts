/**
 * How many archives are made at once: each walks and streams a whole
 * tree, so a few at a time, and the rest are turned away at once (the
 * caller answers 503 with `Retry-After`) rather than queued: a client
 * that asks again later costs nothing meanwhile.
 *
 * @module
 */

/** Gives a slot back; calling it again does nothing. */
export type ReleaseArchiveSlot = () => void;

/** A fixed number of slots for archives being sent. */
export class ArchiveSlots {
  /** Most archives at once. */
  readonly max: number;
  #taken = 0;

  /** `max` slots (at least 1). */
  constructor(max: number) {
    this.max = Math.max(1, Math.floor(max));
  }

  /** Archives being sent now. */
  get taken(): number {
    return this.#taken;
  }

  /** A slot's release function, or null when every slot is taken. */
  tryTake(): ReleaseArchiveSlot | null {
    if (this.#taken >= this.max) return null;
    this.#taken++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#taken--;
    };
  }
}
