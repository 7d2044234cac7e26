/**
 * The request body a CGI script reads on its stdin, and the length that
 * `CONTENT_LENGTH` announces. A body framed by `Content-Length` streams
 * from the connection to the script as fast as the script reads it: the
 * pipe's back-pressure pauses the reading of the connection, so a large
 * upload costs no memory. A chunked body has no length before its end,
 * and CGI needs one, so it is gathered first: in memory while it is small
 * and the shared budget ({@linkcode bodyMemory}) allows, else in an
 * unlinked temporary file; then it streams from there.
 *
 * @module
 */

import { writeAll } from "../../common/net.ts";
import { bodyMemory, type ByteBudget } from "../core/body_budget.ts";
import type { RequestBody } from "../core/request_body.ts";

/** The largest chunked body kept in memory before a script gets it. */
export const SPOOL_MEMORY_LIMIT = 64 * 1024;

const noop = () => {};

async function openSpoolFile(): Promise<Deno.FsFile> {
  const path = await Deno.makeTempFile({ prefix: "spidey-body-" });
  const file = await Deno.open(path, { read: true, write: true });
  // Unlinked at once: the bytes go with the last handle, even on a crash.
  await Deno.remove(path).catch(noop);
  return file;
}

/** What a script reads on stdin. */
export class ScriptInput {
  /** The bytes the script gets (`CONTENT_LENGTH`). */
  readonly length: number;
  #body: RequestBody | null;
  #parts: Uint8Array[];
  #file: Deno.FsFile | null;
  #budget: ByteBudget;
  #held: number;
  #scratch: Uint8Array | null = null;
  #rewound = false;
  #stopped = false;
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;

  private constructor(
    length: number,
    body: RequestBody | null,
    parts: Uint8Array[],
    file: Deno.FsFile | null,
    budget: ByteBudget,
    held: number,
  ) {
    this.length = length;
    this.#body = body;
    this.#parts = parts;
    this.#file = file;
    this.#budget = budget;
    this.#held = held;
  }

  /**
   * The input for `body`: streamed when its length is known, gathered
   * first when chunked.
   *
   * @throws what {@linkcode RequestBody.read} throws while gathering.
   */
  static async of(
    body: RequestBody,
    budget: ByteBudget = bodyMemory,
  ): Promise<ScriptInput> {
    const length = body.length;
    if (length !== null) {
      return new ScriptInput(length, body, [], null, budget, 0);
    }
    const parts: Uint8Array[] = [];
    let held = 0;
    let total = 0;
    let file: Deno.FsFile | null = null;
    try {
      for (;;) {
        const piece = await body.read();
        if (piece === null) break;
        total += piece.length;
        if (
          file === null && held + piece.length <= SPOOL_MEMORY_LIMIT &&
          budget.tryTake(piece.length)
        ) {
          parts.push(piece.slice());
          held += piece.length;
          continue;
        }
        if (file === null) {
          file = await openSpoolFile();
          for (const part of parts) await writeAll(file, part);
          parts.length = 0;
          budget.give(held);
          held = 0;
        }
        await writeAll(file, piece);
      }
    } catch (err) {
      budget.give(held);
      file?.close();
      throw err;
    }
    return new ScriptInput(total, null, parts, file, budget, held);
  }

  /**
   * Writes the input to `stdin`, then closes it. A script that exits or
   * closes its stdin without reading it all is fine. When the request body
   * fails (too slow, broken, the client left), `onBodyError` gets the
   * error before stdin closes: the caller kills the script first, so it
   * never mistakes a cut body for a whole one. Never rejects.
   */
  async writeTo(
    stdin: WritableStream<Uint8Array>,
    onBodyError: (err: unknown) => void,
  ): Promise<void> {
    const writer = stdin.getWriter();
    this.#writer = writer;
    try {
      for (;;) {
        let piece: Uint8Array | null;
        try {
          piece = await this.#next();
        } catch (err) {
          if (!this.#stopped) onBodyError(err);
          await writer.abort(err).catch(noop);
          return;
        }
        if (this.#stopped) return;
        if (piece === null) break;
        try {
          await writer.write(piece);
        } catch {
          return; // The script stopped reading: what is left stays unread.
        }
      }
      await writer.close().catch(noop);
    } finally {
      this.dispose();
    }
  }

  /**
   * Stops {@linkcode writeTo} once the script is done with: a pending
   * write to stdin fails at once; a pending read of the request body ends
   * when its bytes come (or its deadline passes), and nothing more is read.
   */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#writer?.abort().catch(noop);
  }

  /** Frees what the input holds (memory budget, file); safe to repeat. */
  dispose(): void {
    this.#budget.give(this.#held);
    this.#held = 0;
    this.#parts = [];
    this.#file?.close();
    this.#file = null;
  }

  async #next(): Promise<Uint8Array | null> {
    if (this.#body !== null) return await this.#body.read();
    const part = this.#parts.shift();
    if (part !== undefined) return part;
    const file = this.#file;
    if (file === null) return null;
    if (!this.#rewound) {
      this.#rewound = true;
      await file.seek(0, Deno.SeekMode.Start);
    }
    this.#scratch ??= new Uint8Array(65536);
    const n = await file.read(this.#scratch);
    return n === null ? null : this.#scratch.subarray(0, n);
  }
}
