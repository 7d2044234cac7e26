/**
 * Bounded line framing over a byte stream: sockets, stdin, a child
 * process's stdout or stderr.
 *
 * A line comes back with its ending (an echo must send back exactly what
 * came in); a last line without a line feed is a line, not an error (stdin
 * often ends that way). The buffer never grows past the limit: a peer
 * sending an endless line gets a {@linkcode LineTooLongError} (or, on
 * request, its line in pieces), not our memory. A failed read is thrown,
 * never taken for the end of the stream.
 *
 * @module
 */

/** Anything with `Deno.Reader`'s `read` (a `Deno.Conn`, `Deno.stdin`). */
export interface ByteSource {
  /** Reads into `p`; resolves to the count read, or `null` at end of stream. */
  read(p: Uint8Array): Promise<number | null>;
}

/** Where lines are read from: a byte source or a stream of byte chunks. */
export type LineSource = ByteSource | ReadableStream<Uint8Array>;

/** A line grew past its limit before its line feed arrived. */
export class LineTooLongError extends Error {
  /** A stable identifier: always `LINE_TOO_LONG`. */
  readonly code = "LINE_TOO_LONG";
  /** The limit that was exceeded, in bytes. */
  readonly limit: number;

  /** Creates the error for a line longer than `limit` bytes. */
  constructor(limit: number) {
    super(`Line is longer than ${limit} bytes`);
    this.name = "LineTooLongError";
    this.limit = limit;
  }
}

/**
 * A {@linkcode ByteSource} over a stream of chunks; a chunk larger than
 * the reader's room is handed out over several reads. A byte stream (a
 * socket's, a child's pipe) is read into one buffer of the source's own,
 * reused from read to read: its default reader would allocate a fresh
 * 64 KiB chunk for every read, even one that finds the end.
 */
export function streamSource(stream: ReadableStream<Uint8Array>): ByteSource {
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = stream.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream: chunks come as the stream makes them.
  }
  return byob === null ? chunkSource(stream) : byobSource(byob);
}

function byobSource(reader: ReadableStreamBYOBReader): ByteSource {
  let scratch = new ArrayBuffer(0);
  return {
    async read(p: Uint8Array): Promise<number | null> {
      if (scratch.byteLength < p.length) scratch = new ArrayBuffer(p.length);
      // The read takes the buffer over and gives it back in `value`.
      const { value, done } = await reader.read(
        new Uint8Array(scratch, 0, p.length),
      );
      if (value !== undefined) scratch = value.buffer as ArrayBuffer;
      if (done) return null;
      p.set(value);
      return value.length;
    },
  };
}

function chunkSource(stream: ReadableStream<Uint8Array>): ByteSource {
  const reader = stream.getReader();
  let pending: Uint8Array = new Uint8Array(0);
  return {
    async read(p: Uint8Array): Promise<number | null> {
      while (pending.length === 0) {
        const { value, done } = await reader.read();
        if (done) return null;
        pending = value;
      }
      const n = Math.min(p.length, pending.length);
      p.set(pending.subarray(0, n));
      pending = pending.subarray(n);
      return n;
    },
  };
}

/** What a {@linkcode LineReader} does with a line over its limit. */
export interface LineReaderOptions {
  /**
   * `"error"` (the default) throws {@linkcode LineTooLongError};
   * `"split"` returns the line in pieces of at most the limit, cut
   * between UTF-8 characters, the last one with the line's ending (for
   * relaying text that is only ever shown, such as a log).
   */
  overlong?: "error" | "split";
}

const LF = 0x0a;
const CR = 0x0d;
/** Initial buffer size; it grows up to the limit for longer lines. */
const INITIAL_BUFFER = 4096;

/** Reads lines of at most a fixed length from a {@linkcode LineSource}. */
export class LineReader {
  readonly #src: ByteSource;
  readonly #limit: number;
  readonly #split: boolean;
  #buf: Uint8Array;
  #start = 0;
  #end = 0;
  #scanned = 0;
  #ended = false;

  /**
   * Wraps `source`; a line's content (without its ending) may be at most
   * `maxLineBytes` long.
   */
  constructor(
    source: LineSource,
    maxLineBytes: number,
    options: LineReaderOptions = {},
  ) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`Line limit must be a positive whole number`);
    }
    this.#src = source instanceof ReadableStream
      ? streamSource(source)
      : source;
    this.#limit = maxLineBytes;
    this.#split = options.overlong === "split";
    this.#buf = new Uint8Array(Math.min(maxLineBytes + 2, INITIAL_BUFFER));
  }

  /**
   * Reads the next line including its `\n` or `\r\n` (none on a last line
   * that lacks one). Resolves to `null` at end of stream. The view is valid
   * until the next call.
   *
   * @throws {LineTooLongError} when a line's content passes the limit
   *   (unless the reader splits such lines).
   * @throws whatever the source throws: a failed read is not an end.
   */
  async readLine(): Promise<Uint8Array | null> {
    const limit = this.#limit;
    for (;;) {
      const from = this.#start + this.#scanned;
      const lf = this.#buf.subarray(from, this.#end).indexOf(LF);
      if (lf >= 0) {
        const line = this.#buf.subarray(this.#start, from + lf + 1);
        if (stripLineEnding(line).length > limit) return this.#overlong();
        this.#start += line.length;
        this.#scanned = 0;
        return line;
      }
      this.#scanned = this.#end - this.#start;
      // limit + 2 bytes without a line feed cannot end as a legal line.
      if (this.#scanned >= limit + 2) return this.#overlong();
      if (this.#ended) {
        if (this.#scanned === 0) return null;
        if (this.#scanned > limit) return this.#overlong();
        const last = this.#buf.subarray(this.#start, this.#end);
        this.#start = this.#end;
        this.#scanned = 0;
        return last;
      }
      await this.#fill();
    }
  }

  /** Throws for the line at the front, or returns its first piece. */
  #overlong(): Uint8Array {
    if (!this.#split) throw new LineTooLongError(this.#limit);
    let cut = this.#start + this.#limit;
    // Back up over UTF-8 continuation bytes (at most three).
    for (
      let i = 0;
      i < 3 && cut > this.#start + 1 && (this.#buf[cut]! & 0xc0) === 0x80;
      i++
    ) {
      cut--;
    }
    const piece = this.#buf.subarray(this.#start, cut);
    this.#start = cut;
    this.#scanned = 0;
    return piece;
  }

  /** Reads more bytes after the buffered ones, making room first. */
  async #fill(): Promise<void> {
    if (this.#end === this.#buf.length) {
      if (this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
        this.#end -= this.#start;
        this.#start = 0;
      } else {
        // Full of one unfinished line still within the limit: grow.
        const bigger = new Uint8Array(
          Math.min(this.#buf.length * 2, this.#limit + 2),
        );
        bigger.set(this.#buf.subarray(0, this.#end));
        this.#buf = bigger;
      }
    }
    const n = await this.#src.read(this.#buf.subarray(this.#end));
    if (n === null) this.#ended = true;
    else this.#end += n;
  }
}

/**
 * Text lines over a {@linkcode LineReader}: each line decoded as UTF-8
 * (malformed bytes become U+FFFD), without its LF or CR LF.
 */
export class TextLineReader {
  readonly #lines: LineReader;
  readonly #decoder = new TextDecoder();

  /** Wraps `source`, with the byte limit and options of a `LineReader`. */
  constructor(
    source: LineSource,
    maxLineBytes: number,
    options: LineReaderOptions = {},
  ) {
    this.#lines = new LineReader(source, maxLineBytes, options);
  }

  /**
   * The next line's text; `null` at end of stream.
   *
   * @throws {LineTooLongError} as {@linkcode LineReader.readLine} does.
   */
  async readLine(): Promise<string | null> {
    const line = await this.#lines.readLine();
    return line === null ? null : this.#decoder.decode(stripLineEnding(line));
  }
}

/** `line` without its trailing `\n` or `\r\n` (a view, not a copy). */
export function stripLineEnding(line: Uint8Array): Uint8Array {
  let end = line.length;
  if (end > 0 && line[end - 1] === LF) {
    end--;
    if (end > 0 && line[end - 1] === CR) end--;
  }
  return line.subarray(0, end);
}
