/**
 * A reader that buffers bytes from a connection so that a message head can
 * be found and parsed without copying, and the bytes after it (a body or a
 * pipelined request) are kept for the next read.
 *
 * It stays apart from `../common/line_reader.ts` because one buffer here
 * serves a whole message (heads, chunk-size lines and body bytes read,
 * skipped or taken in place) under HTTP's limits and errors, where the
 * common reader only frames lines.
 *
 * @module
 */

import { ProtocolError } from "./errors.ts";

/** Anything with `Deno.Conn`'s `read` shape. */
export interface ByteSource {
  /** Reads into `p`; resolves to the count read, or `null` at end of stream. */
  read(p: Uint8Array): Promise<number | null>;
}

/** Raised when a message head grows past the allowed size. */
export class HeadTooLargeError extends ProtocolError {
  /** The bytes received so far (a view, valid until the next read). */
  readonly partial: Uint8Array;

  /** Creates the error with the bytes seen so far. */
  constructor(partial: Uint8Array, limit: number) {
    super("HEAD_TOO_LARGE", `Message head is larger than ${limit} bytes`);
    this.name = "HeadTooLargeError";
    this.partial = partial;
  }
}

const LF = 10;
const CR = 13;

/**
 * Index just past the blank line that ends a head in `buf[from, to)`, or -1.
 * Bare LF line endings are accepted as RFC 9112 section 2.2 allows.
 */
export function findHeadEnd(buf: Uint8Array, from: number, to: number): number {
  // A loop of our own: `indexOf` calls into the runtime, which costs more
  // than the few dozen bytes of a usual line it would skip.
  for (let i = from; i < to; i++) {
    if (buf[i] !== LF) continue;
    if (i + 1 < to && buf[i + 1] === LF) return i + 2;
    if (i + 2 < to && buf[i + 1] === CR && buf[i + 2] === LF) return i + 3;
  }
  return -1;
}

/** Buffered reading over a {@linkcode ByteSource}. */
export class BufferedReader {
  #src: ByteSource;
  #buf: Uint8Array;
  #size: number;
  #idle: Uint8Array | null;
  #start = 0;
  #end = 0;
  #bytesRead = 0;
  // Bytes of an unfinished head already searched for its blank line.
  #headScanned = 0;
  #onBytes: ((n: number) => void) | null;

  /**
   * Wraps `src` with a buffer of `size` bytes that grows on demand.
   * `onBytes` is called synchronously after every read that got bytes (a
   * server starts its header timeout there), which spares the caller an
   * async wrapper around `src.read` on every request.
   *
   * With an `idleSize` below `size`, a reader waiting for a head with
   * nothing buffered reads into a buffer of that size instead, and grows
   * to `size` only when a head or body needs it: an idle keep-alive
   * connection then holds `idleSize` bytes, not `size`, and the larger
   * buffer is left to the garbage collector.
   */
  constructor(
    src: ByteSource,
    size = 8192,
    onBytes: ((n: number) => void) | null = null,
    idleSize = size,
  ) {
    this.#src = src;
    this.#size = size;
    this.#idle = idleSize < size ? new Uint8Array(idleSize) : null;
    this.#buf = this.#idle ?? new Uint8Array(size);
    this.#onBytes = onBytes;
  }

  /** How many bytes are buffered and not yet consumed. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Makes room for at least `need` more bytes after the buffered ones. */
  #reserve(need: number): void {
    const used = this.#end - this.#start;
    if (this.#buf.length - this.#end >= need) return;
    if (this.#buf.length - used >= need && this.#start > 0) {
      this.#buf.copyWithin(0, this.#start, this.#end);
    } else {
      let size = this.#buf.length * 2;
      while (size - used < need) size *= 2;
      const bigger = new Uint8Array(size);
      bigger.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = bigger;
    }
    this.#start = 0;
    this.#end = used;
  }

  /**
   * Makes room for a read and returns the view it goes into. `forHead`
   * tells a wait for a head, which may use the small idle buffer.
   */
  #readTarget(forHead: boolean): Uint8Array {
    if (this.#start === this.#end) {
      // Nothing buffered: read at the front, into the whole buffer, with
      // no compaction and no new view (the common keep-alive case).
      this.#start = this.#end = 0;
      if (this.#idle !== null) {
        if (forHead) this.#buf = this.#idle;
        else if (this.#buf.length < this.#size) {
          this.#buf = new Uint8Array(this.#size);
        }
      }
    } else if (!forHead && this.#buf.length < this.#size) {
      this.#reserve(this.#size - (this.#end - this.#start));
    } else {
      this.#reserve(1024);
    }
    return this.#end === 0 ? this.#buf : this.#buf.subarray(this.#end);
  }

  /** Accounts what a read into the target returned; false at end of stream. */
  #commit(n: number | null): boolean {
    if (n === null || n === 0) return n === 0;
    this.#end += n;
    this.#bytesRead += n;
    if (this.#onBytes !== null) this.#onBytes(n);
    return true;
  }

  /** Reads more bytes into the buffer; false at end of stream. */
  async #fill(): Promise<boolean> {
    return this.#commit(await this.#src.read(this.#readTarget(false)));
  }

  /**
   * Reads the source once into the buffer, for a caller that parses
   * {@linkcode peek} itself; resolves to false at end of stream. Not an
   * async function, so a hot loop pays for one async frame only.
   */
  fill(): Promise<boolean> {
    return this.#fill();
  }

  /**
   * {@linkcode fill} in two halves, for a hot loop that reads the source
   * itself and so needs no async frame of the reader's: read the source
   * into the view this returns, then pass what the read returned to
   * {@linkcode added}. Nothing else may touch the reader in between.
   */
  spare(): Uint8Array {
    return this.#readTarget(false);
  }

  /**
   * Takes the result of a read into {@linkcode spare}'s view (a count, or
   * null at end of stream); false at end of stream, as {@linkcode fill}.
   */
  added(n: number | null): boolean {
    return this.#commit(n);
  }

  /**
   * The buffered bytes not yet consumed, without reading the source: a
   * view valid until the next read. Consume with {@linkcode skip}.
   */
  peek(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  /** Every byte read from the source so far, consumed or still buffered. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /**
   * Discards up to `n` buffered bytes without reading the source; returns
   * how many were discarded. Lets a caller drop a body that has already
   * arrived without copying it or awaiting anything.
   */
  skip(n: number): number {
    const k = Math.min(n, this.#end - this.#start);
    this.#start += k;
    return k;
  }

  /**
   * Reads one message head, up to and including its blank line, skipping
   * empty lines before it. Resolves to `null` if the stream ends before any
   * byte of a head. The returned view is valid until the next read.
   *
   * @throws {HeadTooLargeError} when no blank line is found in `maxBytes`.
   * @throws {ProtocolError} `INCOMPLETE_HEAD` when the stream ends mid-head.
   */
  async readHead(maxBytes: number): Promise<Uint8Array | null> {
    for (;;) {
      const head = this.takeHead(maxBytes);
      if (head !== null) return head;
      if (!this.headRead(await this.#src.read(this.#readTarget(true)))) {
        return null;
      }
    }
  }

  /**
   * {@linkcode readHead} without an async frame, for a server that waits
   * for many heads at once: takes a head already buffered, or returns
   * null; then read the source into {@linkcode headSpare}'s view, pass
   * the result to {@linkcode headRead}, and take again.
   *
   * @throws {HeadTooLargeError} when no blank line is found in `maxBytes`.
   */
  takeHead(maxBytes: number): Uint8Array | null {
    const buf = this.#buf;
    while (
      this.#start < this.#end &&
      (buf[this.#start] === CR || buf[this.#start] === LF)
    ) {
      this.#start++;
    }
    const avail = this.#end - this.#start;
    if (avail === 0) {
      this.#headScanned = 0;
      return null;
    }
    // The blank line may straddle the bytes already searched.
    const from = this.#start + Math.max(0, this.#headScanned - 3);
    const end = findHeadEnd(buf, from, this.#end);
    if (end >= 0 && end - this.#start <= maxBytes) {
      const head = buf.subarray(this.#start, end);
      this.#start = end;
      this.#headScanned = 0;
      return head;
    }
    if (avail >= maxBytes) {
      this.#headScanned = 0;
      throw new HeadTooLargeError(
        buf.subarray(this.#start, this.#end),
        maxBytes,
      );
    }
    this.#headScanned = avail;
    return null;
  }

  /**
   * Consumes every buffered byte when `test(arg, buf, start, end)` accepts
   * them as a whole (they are `buf[start, end)`), and returns whether it
   * did; with nothing buffered it is false. A server recognizes a head it
   * has seen before this way (see `isRepeatedHead`), with no search for
   * the head's end and no view made.
   */
  takeWholeIf<A>(
    test: (arg: A, buf: Uint8Array, start: number, end: number) => boolean,
    arg: A,
  ): boolean {
    if (
      this.#start === this.#end || !test(arg, this.#buf, this.#start, this.#end)
    ) return false;
    this.#start = this.#end;
    this.#headScanned = 0;
    return true;
  }

  /** The view the next read for a head goes into (see {@linkcode takeHead}). */
  headSpare(): Uint8Array {
    return this.#readTarget(true);
  }

  /**
   * Takes the result of a read into {@linkcode headSpare}'s view; false
   * when the stream ended with nothing of a head buffered.
   *
   * @throws {ProtocolError} `INCOMPLETE_HEAD` when it ended mid-head.
   */
  headRead(n: number | null): boolean {
    if (this.#commit(n)) return true;
    this.#headScanned = 0;
    if (this.#end === this.#start) return false;
    throw new ProtocolError(
      "INCOMPLETE_HEAD",
      "Connection closed in the middle of a message head",
    );
  }

  /**
   * Reads one line ending in LF (CRLF or bare LF), without its ending.
   * Resolves to `null` at end of stream with nothing buffered.
   *
   * @throws {ProtocolError} `LINE_TOO_LONG` past `maxBytes`.
   */
  async readLine(maxBytes: number): Promise<Uint8Array | null> {
    let scanned = 0;
    for (;;) {
      const lf = this.#buf.subarray(this.#start + scanned, this.#end).indexOf(
        LF,
      );
      if (lf >= 0) {
        const lineEnd = this.#start + scanned + lf;
        let contentEnd = lineEnd;
        if (contentEnd > this.#start && this.#buf[contentEnd - 1] === CR) {
          contentEnd--;
        }
        const line = this.#buf.subarray(this.#start, contentEnd);
        this.#start = lineEnd + 1;
        return line;
      }
      scanned = this.#end - this.#start;
      if (scanned > maxBytes) {
        throw new ProtocolError(
          "LINE_TOO_LONG",
          `Line is longer than ${maxBytes} bytes`,
        );
      }
      if (!await this.#fill()) {
        if (this.#end === this.#start) return null;
        throw new ProtocolError(
          "INCOMPLETE_LINE",
          "Connection closed in the middle of a line",
        );
      }
    }
  }

  /**
   * Reads up to `p.length` bytes: buffered ones first, then straight from
   * the source (large reads bypass the buffer).
   */
  async read(p: Uint8Array): Promise<number | null> {
    const avail = this.#end - this.#start;
    if (avail > 0) {
      const n = Math.min(avail, p.length);
      p.set(this.#buf.subarray(this.#start, this.#start + n));
      this.#start += n;
      return n;
    }
    if (p.length >= this.#size) {
      const n = await this.#src.read(p);
      if (n !== null && n > 0) {
        this.#bytesRead += n;
        if (this.#onBytes !== null) this.#onBytes(n);
      }
      return n;
    }
    if (!await this.#fill()) return null;
    return this.read(p);
  }

  /**
   * Reads exactly `p.length` bytes.
   *
   * @throws {ProtocolError} `UNEXPECTED_EOF` if the stream ends first.
   */
  async readFull(p: Uint8Array): Promise<void> {
    let off = 0;
    while (off < p.length) {
      const n = await this.read(p.subarray(off));
      if (n === null) {
        throw new ProtocolError(
          "UNEXPECTED_EOF",
          `Connection closed after ${off} of ${p.length} body bytes`,
        );
      }
      off += n;
    }
  }

  /**
   * Resolves to a view of up to `max` bytes, buffered ones first, reading
   * the source only when none are buffered; `null` at end of stream. The
   * view is valid until the next read: a body can be passed on without a
   * copy and without memory of its own.
   */
  async readView(max: number): Promise<Uint8Array | null> {
    while (this.#start === this.#end) {
      if (!await this.#fill()) return null;
    }
    const n = Math.min(max, this.#end - this.#start);
    const view = this.#buf.subarray(this.#start, this.#start + n);
    this.#start += n;
    return view;
  }

  /** Takes up to `max` buffered bytes without reading the source. */
  takeBuffered(max: number): Uint8Array {
    const n = Math.min(max, this.#end - this.#start);
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }
}
