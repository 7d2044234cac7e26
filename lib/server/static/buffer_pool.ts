/**
 * A pool of equal-sized byte buffers, so streaming a file reuses memory
 * instead of allocating a large buffer for every request.
 *
 * @module
 */

/**
 * Hands out buffers of `bufferBytes`; keeps at most `maxIdle` returned ones
 * for reuse and lets the garbage collector have the rest, so a burst of
 * concurrent downloads does not pin its peak memory forever.
 */
export class BufferPool {
  /** Size of every buffer handed out. */
  readonly bufferBytes: number;
  #maxIdle: number;
  #idle: Uint8Array[] = [];

  /** Creates an empty pool. */
  constructor(bufferBytes: number, maxIdle: number) {
    this.bufferBytes = bufferBytes;
    this.#maxIdle = maxIdle;
  }

  /** Buffers waiting for reuse. */
  get idle(): number {
    return this.#idle.length;
  }

  /** A buffer for exclusive use until it is given back with `release`. */
  acquire(): Uint8Array {
    return this.#idle.pop() ?? new Uint8Array(this.bufferBytes);
  }

  /**
   * Takes a buffer back. It must no longer be in use: every write of it
   * must have completed (a pending socket write still reads from it).
   */
  release(buffer: Uint8Array): void {
    if (
      buffer.length === this.bufferBytes && this.#idle.length < this.#maxIdle
    ) this.#idle.push(buffer);
  }
}
