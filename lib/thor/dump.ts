/**
 * Writing responses out: the single-request dump (head then body on
 * stdout, like the classic tool) and `-o FILE` (every complete body). Each
 * response is gathered and written whole once complete, so concurrent
 * connections never interleave and a failed response writes nothing.
 *
 * @module
 */

import type { BodySink } from "../http/body.ts";
import type { ResponseSink } from "./client_connection.ts";

/** Where dumped responses go: a file or stdout. */
export class DumpWriter {
  readonly #file: Deno.FsFile | null;
  /** Write response heads too (the single-request dump), not only bodies. */
  readonly includeHeads: boolean;

  private constructor(file: Deno.FsFile | null, includeHeads: boolean) {
    this.#file = file;
    this.includeHeads = includeHeads;
  }

  /** Writes to stdout. */
  static stdout(includeHeads: boolean): DumpWriter {
    return new DumpWriter(null, includeHeads);
  }

  /**
   * Opens `path` for bodies; `-` means stdout. A `-p` child appends to the
   * file its parent truncated, so `truncate` is only for the first opener.
   *
   * @throws {Deno.errors.NotFound} and the like when it cannot be opened.
   */
  static open(path: string, truncate: boolean): DumpWriter {
    if (path === "-") return DumpWriter.stdout(false);
    const file = Deno.openSync(path, {
      write: true,
      create: true,
      truncate,
      append: !truncate,
    });
    return new DumpWriter(file, false);
  }

  /** Writes `parts` in order, all of each. */
  write(parts: readonly Uint8Array[]): void {
    const size = parts.reduce((n, p) => n + p.length, 0);
    // One buffer, one write: an append from another process lands whole.
    const all = new Uint8Array(size);
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.length;
    }
    off = 0;
    while (off < all.length) {
      const chunk = all.subarray(off);
      off += this.#file === null
        ? Deno.stdout.writeSync(chunk)
        : this.#file.writeSync(chunk);
    }
  }

  /** A capture for one connection's responses. */
  capture(): ResponseCapture {
    return new ResponseCapture(this);
  }

  /** Closes the file (not stdout). */
  close(): void {
    this.#file?.close();
  }
}

/** Gathers one response at a time and hands it to a {@linkcode DumpWriter}. */
export class ResponseCapture implements ResponseSink {
  readonly #writer: DumpWriter;
  #parts: Uint8Array[] = [];

  /** A capture writing to `writer`. */
  constructor(writer: DumpWriter) {
    this.#writer = writer;
  }

  /** Keeps a copy of the final head when heads are dumped. */
  head(raw: Uint8Array): void {
    if (this.#writer.includeHeads) this.#parts.push(raw.slice());
  }

  /** Keeps a copy of each body piece. */
  readonly body: BodySink = (chunk) => {
    this.#parts.push(chunk.slice());
  };

  /** Writes the gathered response: it completed. */
  commit(): void {
    if (this.#parts.length > 0) this.#writer.write(this.#parts);
    this.#parts = [];
  }

  /** Drops the gathered part of a response that failed. */
  discard(): void {
    this.#parts = [];
  }
}
