/**
 * Bounded line framing over a byte stream, for sockets and stdin alike.
 *
 * Unlike the HTTP reader's `readLine`, a line comes back with its ending
 * (an echo must send back exactly what came in) and a last line without a
 * line feed is a line, not an error (stdin often ends that way). The
 * buffer never grows: a peer sending an endless line gets an error, not
 * our memory.
 *
 * @module
 */

import { LineTooLongError } from "./errors.ts";

/** Anything with `Deno.Conn`'s `read` shape (sockets, `Deno.stdin`). */
export interface ByteSource {
  /** Reads into `p`; resolves to the count read, or `null` at end of stream. */
  read(p: Uint8Array): Promise<number | null>;
}

const LF = 0x0a;
const CR = 0x0d;

/** Reads lines of at most a fixed length from a {@linkcode ByteSource}. */
export class LineReader {
  #src: ByteSource;
  #maxLineBytes: number;
  #buf: Uint8Array;
  #start = 0;
  #end = 0;
  #scanned = 0;
  #ended = false;

  /**
   * Wraps `src`; a line's content (without its ending) may be at most
   * `maxLineBytes` long.
   */
  constructor(src: ByteSource, maxLineBytes: number) {
    this.#src = src;
    this.#maxLineBytes = maxLineBytes;
    this.#buf = new Uint8Array(Math.max(maxLineBytes + 2, 4096));
  }

  /**
   * Reads the next line including its `\n` or `\r\n` (none on a last line
   * that lacks one). Resolves to `null` at end of stream. The view is valid
   * until the next call.
   *
   * @throws {LineTooLongError} when a line's content passes the limit.
   */
  async readLine(): Promise<Uint8Array | null> {
    const limit = this.#maxLineBytes;
    for (;;) {
      const from = this.#start + this.#scanned;
      const lf = from < this.#end ? this.#buf.indexOf(LF, from) : -1;
      if (lf >= 0 && lf < this.#end) {
        const line = this.#buf.subarray(this.#start, lf + 1);
        if (contentLength(line) > limit) throw new LineTooLongError(limit);
        this.#start = lf + 1;
        this.#scanned = 0;
        return line;
      }
      this.#scanned = this.#end - this.#start;
      // limit + 2 bytes without a line feed cannot end as a legal line.
      if (this.#scanned >= limit + 2) throw new LineTooLongError(limit);
      if (this.#ended) {
        if (this.#scanned === 0) return null;
        const last = this.#buf.subarray(this.#start, this.#end);
        if (last.length > limit) throw new LineTooLongError(limit);
        this.#start = this.#end;
        this.#scanned = 0;
        return last;
      }
      if (this.#end === this.#buf.length) {
        this.#buf.copyWithin(0, this.#start, this.#end);
        this.#end -= this.#start;
        this.#start = 0;
      }
      const n = await this.#src.read(this.#buf.subarray(this.#end));
      if (n === null) this.#ended = true;
      else this.#end += n;
    }
  }
}

function contentLength(line: Uint8Array): number {
  return stripLineEnding(line).length;
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

/** True when `line` holds nothing but its ending (a blank line). */
export function isBlankLine(line: Uint8Array): boolean {
  return stripLineEnding(line).length === 0;
}
