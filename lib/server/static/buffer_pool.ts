/**
 * Read buffers for streaming files, sized to what is being sent and
 * bounded in total memory.
 *
 * - A piece is sized to the bytes left to send, rounded up to a power of
 *   two, between `minPieceBytes` and `maxPieceBytes` (1 MiB): a 200 KB
 *   file goes out in one read and one write, a large one in 1 MiB pieces,
 *   which move several times the bytes per second that 128 KiB ones do.
 * - Every buffer handed out or kept idle counts against `budgetBytes`.
 *   When the budget is short a request gets a smaller piece; when not even
 *   the smallest fits, it gets a fresh unpooled piece of `minPieceBytes`
 *   rather than waiting: clients that read nothing hold their pooled
 *   buffers for as long as they like, and a queue behind them would starve
 *   every other download. Memory stays bounded: at most the budget plus
 *   one small piece per connection.
 * - Idle buffers are kept for reuse (at most `maxIdle`), and dropped when
 *   the budget needs their room for another size.
 *
 * @module
 */

/** Limits of a {@linkcode BufferPool}; every field has a default. */
export interface BufferPoolOptions {
  /** Largest piece handed out, in bytes. */
  maxPieceBytes?: number;
  /** Smallest piece handed out, in bytes. */
  minPieceBytes?: number;
  /** Most bytes in buffers handed out and kept idle together. */
  budgetBytes?: number;
  /** Most idle buffers kept for reuse. */
  maxIdle?: number;
}

/** Default of {@linkcode BufferPoolOptions.maxPieceBytes}: 1 MiB. */
export const DEFAULT_MAX_PIECE_BYTES = 1024 * 1024;
/** Default of {@linkcode BufferPoolOptions.minPieceBytes}: 16 KiB. */
export const DEFAULT_MIN_PIECE_BYTES = 16 * 1024;
/** Default of {@linkcode BufferPoolOptions.budgetBytes}: 32 MiB. */
export const DEFAULT_BUFFER_BUDGET_BYTES = 32 * 1024 * 1024;
/** Default of {@linkcode BufferPoolOptions.maxIdle}. */
export const DEFAULT_MAX_IDLE_BUFFERS = 16;

/** The smallest power of two at least `n` (1 for n ≤ 1). */
function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Buffers by size, within one memory budget. */
export class BufferPool {
  /** Largest piece handed out. */
  readonly maxPieceBytes: number;
  /** Smallest piece handed out. */
  readonly minPieceBytes: number;
  /** Most bytes held (handed out plus idle). */
  readonly budgetBytes: number;
  #maxIdle: number;
  #idle = new Map<number, Uint8Array[]>();
  #idleCount = 0;
  #heldBytes = 0;
  #unpooled = 0;
  /** Buffers handed out and not yet released. */
  #mine = new WeakSet<Uint8Array>();

  /** Creates an empty pool with `options` over the defaults. */
  constructor(options: BufferPoolOptions = {}) {
    this.maxPieceBytes = Math.max(
      1,
      options.maxPieceBytes ?? DEFAULT_MAX_PIECE_BYTES,
    );
    this.minPieceBytes = Math.min(
      this.maxPieceBytes,
      Math.max(1, options.minPieceBytes ?? DEFAULT_MIN_PIECE_BYTES),
    );
    this.budgetBytes = Math.max(
      this.maxPieceBytes,
      options.budgetBytes ?? DEFAULT_BUFFER_BUDGET_BYTES,
    );
    this.#maxIdle = options.maxIdle ?? DEFAULT_MAX_IDLE_BUFFERS;
  }

  /** Buffers waiting for reuse. */
  get idle(): number {
    return this.#idleCount;
  }

  /** Bytes in buffers handed out or idle. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Unpooled pieces handed out because the budget was spent, in all. */
  get unpooledPieces(): number {
    return this.#unpooled;
  }

  /** The piece size for sending `wanted` bytes, budget permitting. */
  pieceSizeFor(wanted: number): number {
    const size = powerOfTwoAtLeast(Math.max(wanted, 1));
    return Math.min(this.maxPieceBytes, Math.max(this.minPieceBytes, size));
  }

  /**
   * A buffer for sending `wanted` bytes now, or null when the budget has
   * no room even for the smallest piece. Its length is the piece size
   * (see {@linkcode pieceSizeFor}), or smaller when the budget is short.
   */
  tryAcquire(wanted: number): Uint8Array | null {
    return this.#take(this.pieceSizeFor(wanted));
  }

  /**
   * A buffer for sending `wanted` bytes, never waiting: a pooled one when
   * the budget allows (perhaps smaller than asked), else an unpooled piece
   * of `minPieceBytes` that {@linkcode release} lets go.
   */
  acquire(wanted: number): Uint8Array {
    const pooled = this.tryAcquire(wanted);
    if (pooled !== null) return pooled;
    this.#unpooled++;
    return new Uint8Array(this.minPieceBytes);
  }

  /**
   * Takes a buffer back. It must no longer be in use: every write of it
   * must have completed (a pending socket write still reads from it).
   * Buffers this pool did not hand out are ignored.
   */
  release(buffer: Uint8Array): void {
    if (!this.#mine.has(buffer)) return;
    this.#mine.delete(buffer);
    if (this.#idleCount < this.#maxIdle) {
      let list = this.#idle.get(buffer.length);
      if (list === undefined) this.#idle.set(buffer.length, list = []);
      list.push(buffer);
      this.#idleCount++;
    } else {
      this.#heldBytes -= buffer.length;
    }
  }

  /** A buffer of `size`, or the largest smaller piece the budget allows. */
  #take(size: number): Uint8Array | null {
    for (let s = size;; s = Math.max(this.minPieceBytes, Math.floor(s / 2))) {
      const idle = this.#idle.get(s);
      if (idle !== undefined && idle.length > 0) {
        const buffer = idle.pop()!;
        this.#idleCount--;
        this.#mine.add(buffer);
        return buffer;
      }
      if (this.#heldBytes + s > this.budgetBytes) this.#dropIdle(s);
      if (this.#heldBytes + s <= this.budgetBytes) {
        const buffer = new Uint8Array(s);
        this.#heldBytes += s;
        this.#mine.add(buffer);
        return buffer;
      }
      if (s <= this.minPieceBytes) break;
    }
    return null;
  }

  /** Frees idle buffers (of other sizes) until `room` bytes would fit. */
  #dropIdle(room: number): void {
    for (const [size, list] of this.#idle) {
      while (list.length > 0 && this.#heldBytes + room > this.budgetBytes) {
        list.pop();
        this.#idleCount--;
        this.#heldBytes -= size;
      }
    }
  }
}
