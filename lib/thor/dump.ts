/**
 * Writing responses out: the single-request dump (head then body on
 * stdout, like the classic tool) and `-o FILE` (every body), as the bytes
 * arrive and in constant memory.
 *
 * Each connection holds back up to a writer's hold size of its current
 * response: a response that completes within it is written in one write
 * and one that fails within it writes nothing. Only one process writes a
 * file: `-o` cannot be combined with `-p`. A response that outgrows it takes the output,
 * waiting while another connection's response has it, and is written
 * through as it arrives until it ends, so concurrent connections never
 * interleave. Nothing more is read from a socket until its bytes are
 * written, so a slow output slows the reading instead of filling memory.
 *
 * @module
 */

import { type ByteSink, writeAll } from "../common/net.ts";
import type { BodySink } from "../http/body.ts";
import type { ResponseSink } from "./client_connection.ts";

/** How much of a response `-o` holds back before writing it through. */
export const HOLD_BYTES = 65536;

/** Where dumped responses go: a file or stdout. */
export class DumpWriter {
  readonly #file: Deno.FsFile | null;
  readonly #out: ByteSink & { writeSync(p: Uint8Array): number };
  // A regular file takes a write at once: writing it synchronously spares
  // a promise and a thread hop per write. A pipe or terminal can make a
  // write wait for its reader, so that one is awaited, keeping timeouts
  // and signals running meanwhile.
  readonly #sync: boolean;
  /** Write response heads too (the single-request dump), not only bodies. */
  readonly includeHeads: boolean;
  /** Bytes of a response held back before it is written through. */
  readonly holdBytes: number;
  #busy = false;
  readonly #waiting: (() => void)[] = [];
  #failed = false;
  #failure: unknown = null;

  private constructor(
    file: Deno.FsFile | null,
    includeHeads: boolean,
    holdBytes: number,
  ) {
    this.#file = file;
    this.#out = file ?? Deno.stdout;
    this.#sync = file !== null && isRegularFile(file);
    this.includeHeads = includeHeads;
    this.holdBytes = holdBytes;
  }

  /**
   * Writes to stdout. The default hold of 0 writes every byte through at
   * once, for the single-request dump, which has no other connection to
   * interleave with.
   */
  static stdout(includeHeads: boolean, holdBytes = 0): DumpWriter {
    return new DumpWriter(null, includeHeads, holdBytes);
  }

  /**
   * Opens `path` for bodies; `-` means stdout. A `-p` child appends to the
   * file its parent truncated, so `truncate` is only for the first opener.
   *
   * @throws {Deno.errors.NotFound} and the like when it cannot be opened.
   */
  static open(path: string, truncate: boolean): DumpWriter {
    if (path === "-") return DumpWriter.stdout(false, HOLD_BYTES);
    const file = Deno.openSync(path, {
      write: true,
      create: true,
      truncate,
      append: !truncate,
    });
    return new DumpWriter(file, false, HOLD_BYTES);
  }

  /** True once a write failed; every later write fails the same way. */
  get failed(): boolean {
    return this.#failed;
  }

  /** The error the failed write raised (see {@linkcode failed}). */
  get failure(): unknown {
    return this.#failure;
  }

  /** A capture for one connection's responses. */
  capture(): ResponseCapture {
    return new ResponseCapture(this);
  }

  /** Closes the file (not stdout). */
  close(): void {
    this.#file?.close();
  }

  /** Takes the output for one response if it is free. */
  tryAcquire(): boolean {
    if (this.#busy) return false;
    this.#busy = true;
    return true;
  }

  /**
   * Takes the output for one response once the connections queued before
   * have released it.
   */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Hands the output to the next connection waiting for it, if any. */
  release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#busy = false;
    else next();
  }

  /**
   * Writes all of `bytes`, returning a promise when the write is awaited;
   * only the holder of the output may call it.
   *
   * @throws the write's error, also on every later call.
   */
  write(bytes: Uint8Array): void | Promise<void> {
    if (this.#failed) throw this.#failure;
    if (!this.#sync) return writeAll(this.#out, bytes).catch(this.#fail);
    try {
      let off = 0;
      while (off < bytes.length) {
        off += this.#out.writeSync(off === 0 ? bytes : bytes.subarray(off));
      }
    } catch (err) {
      this.#fail(err);
    }
  }

  readonly #fail = (err: unknown): never => {
    this.#failed = true;
    this.#failure = err;
    throw err;
  };
}

function isRegularFile(file: Deno.FsFile): boolean {
  try {
    return file.statSync().isFile;
  } catch {
    return false; // unknown: awaiting each write is always safe
  }
}

/**
 * One connection's view of a {@linkcode DumpWriter}: it holds back the
 * start of each response and then writes it through (see the module
 * documentation). Its methods return a promise only when they must wait.
 */
export class ResponseCapture implements ResponseSink {
  readonly #writer: DumpWriter;
  readonly #hold: number;
  // Grown on demand up to the hold size and reused for every response.
  #held = new Uint8Array(0);
  #size = 0;
  #through = false;

  /** A capture writing to `writer`. */
  constructor(writer: DumpWriter) {
    this.#writer = writer;
    this.#hold = writer.holdBytes;
  }

  /** Takes the final head when heads are dumped. */
  head(raw: Uint8Array): void | Promise<void> {
    if (this.#writer.includeHeads) return this.#take(raw);
  }

  /** Takes a piece of the body. */
  readonly body: BodySink = (chunk) => this.#take(chunk);

  /**
   * Ends a response that completed: writes what is held, or gives the
   * output back after writing it through.
   */
  commit(): void | Promise<void> {
    const writer = this.#writer;
    if (this.#through) {
      this.#through = false;
      writer.release();
      return;
    }
    if (this.#size === 0) return;
    if (writer.tryAcquire()) return this.#writeHeld();
    return writer.acquire().then(() => this.#writeHeld());
  }

  /**
   * Ends a response that failed: drops what is held. The part already
   * written through stays written.
   */
  discard(): void {
    this.#size = 0;
    if (this.#through) {
      this.#through = false;
      this.#writer.release();
    }
  }

  #take(chunk: Uint8Array): void | Promise<void> {
    if (this.#through) return this.#writer.write(chunk);
    const size = this.#size + chunk.length;
    if (size > this.#hold) {
      if (this.#writer.tryAcquire()) return this.#writeThrough(chunk);
      return this.#writer.acquire().then(() => this.#writeThrough(chunk));
    }
    if (size > this.#held.length) {
      const grown = new Uint8Array(
        Math.min(this.#hold, Math.max(size, 2 * this.#held.length, 4096)),
      );
      grown.set(this.#held.subarray(0, this.#size));
      this.#held = grown;
    }
    this.#held.set(chunk, this.#size);
    this.#size = size;
  }

  /** With the output held: writes what is held, then `chunk`, and on. */
  #writeThrough(chunk: Uint8Array): void | Promise<void> {
    this.#through = true;
    const size = this.#size;
    if (size === 0) return this.#writer.write(chunk);
    // The held bytes stay untouched until the response's next piece,
    // which comes only after this write.
    this.#size = 0;
    const held = this.#writer.write(this.#held.subarray(0, size));
    if (held === undefined) return this.#writer.write(chunk);
    return held.then(() => this.#writer.write(chunk));
  }

  /** With the output held: writes the whole held response, releases it. */
  #writeHeld(): void | Promise<void> {
    const writer = this.#writer;
    const size = this.#size;
    // As in #writeThrough, nothing touches the held bytes until this
    // commit has settled.
    this.#size = 0;
    let done: void | Promise<void>;
    try {
      done = writer.write(this.#held.subarray(0, size));
    } catch (err) {
      writer.release();
      throw err;
    }
    if (done === undefined) writer.release();
    else return done.finally(() => writer.release());
  }
}
