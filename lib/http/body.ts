/**
 * Reading message bodies framed by `Content-Length`, by chunked transfer
 * coding (RFC 9112 section 7.1), or by the end of the connection, pushed
 * to a sink or pulled piece by piece ({@linkcode BodyReader}); and
 * writing chunks. Shared by the server (request bodies) and the client
 * (response bodies).
 *
 * @module
 */

import type { BufferedReader } from "./buffered_reader.ts";
import { ProtocolError } from "./errors.ts";

/** Receives each piece of a body; the view is only valid during the call. */
export type BodySink = (chunk: Uint8Array) => void | Promise<void>;

/** Raised when a body is longer than the reader was allowed to take. */
export class BodyTooLargeError extends ProtocolError {
  /** Creates the error for a body over `limit` bytes. */
  constructor(limit: number) {
    super("BODY_TOO_LARGE", `Body is larger than ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The bytes that end a chunked body with no trailers. */
export const LAST_CHUNK: Uint8Array = encoder.encode("0\r\n\r\n");

/** Frames `data` as one chunk; an empty chunk would end the body, so refuse it. */
export function encodeChunk(data: Uint8Array): Uint8Array {
  if (data.length === 0) throw new RangeError("A chunk cannot be empty");
  const prefix = data.length.toString(16) + "\r\n";
  const out = new Uint8Array(prefix.length + data.length + 2);
  encoder.encodeInto(prefix, out);
  out.set(data, prefix.length);
  out[out.length - 2] = 13;
  out[out.length - 1] = 10;
  return out;
}

/**
 * Reads exactly `length` body bytes into `sink` through `scratch`.
 *
 * @throws {ProtocolError} `UNEXPECTED_EOF` if the connection ends first.
 */
export async function readFixedBody(
  reader: BufferedReader,
  length: number,
  sink: BodySink,
  scratch: Uint8Array = new Uint8Array(65536),
): Promise<void> {
  let left = length;
  while (left > 0) {
    const n = await reader.read(
      scratch.subarray(0, Math.min(left, scratch.length)),
    );
    if (n === null) {
      throw new ProtocolError(
        "UNEXPECTED_EOF",
        `Connection closed after ${length - left} of ${length} body bytes`,
      );
    }
    left -= n;
    await sink(scratch.subarray(0, n));
  }
}

/**
 * Reads a chunked body, passing the data (not the framing) to `sink`, and
 * skips any trailer fields. Resolves to the number of data bytes.
 *
 * @throws {ProtocolError} `BAD_CHUNK` for framing errors, `UNEXPECTED_EOF`
 * if the connection ends first.
 * @throws {BodyTooLargeError} when the data passes `maxBytes`.
 */
export async function readChunkedBody(
  reader: BufferedReader,
  sink: BodySink,
  maxBytes = Number.POSITIVE_INFINITY,
  scratch: Uint8Array = new Uint8Array(65536),
): Promise<number> {
  let total = 0;
  for (;;) {
    const line = await reader.readLine(4096);
    if (line === null) {
      throw new ProtocolError(
        "UNEXPECTED_EOF",
        "Connection closed in the middle of a chunked body",
      );
    }
    const size = parseChunkSize(decoder.decode(line));
    if (size === 0) break;
    total += size;
    if (total > maxBytes) throw new BodyTooLargeError(maxBytes);
    await readFixedBody(reader, size, sink, scratch);
    const end = await reader.readLine(2);
    if (end === null) {
      throw new ProtocolError(
        "UNEXPECTED_EOF",
        "Connection closed in the middle of a chunked body",
      );
    }
    if (end.length !== 0) {
      throw new ProtocolError(
        "BAD_CHUNK",
        "Chunk data is not followed by CRLF",
      );
    }
  }
  // Trailer section: fields up to an empty line, ignored.
  for (let i = 0;; i++) {
    const line = await reader.readLine(8192);
    if (line === null) {
      throw new ProtocolError(
        "UNEXPECTED_EOF",
        "Connection closed in the chunked trailer section",
      );
    }
    if (line.length === 0) return total;
    if (i >= 100) {
      throw new ProtocolError("BAD_CHUNK", "Too many trailer fields");
    }
  }
}

/** How a body to be pulled with {@linkcode BodyReader} is delimited. */
export type BodyDelimiter =
  | { kind: "length"; length: number }
  | { kind: "chunked" };

/**
 * Pulls the data of one body from a {@linkcode BufferedReader} a piece at
 * a time, as the consumer asks for it, and never reads past the body's
 * end (what follows is the next message). Chunked framing is decoded with
 * the same rules and errors as {@linkcode readChunkedBody}; trailer fields
 * are skipped. Pieces are views of the reader's own buffer, so a body of
 * any size costs no memory of its own.
 */
export class BodyReader {
  #reader: BufferedReader;
  #chunked: boolean;
  #maxBytes: number;
  // "data": `#left` bytes of the body (or of the current chunk) remain;
  // "crlf": a chunk's data ended, its CRLF is next; "size": a chunk-size
  // line is next.
  #state: "data" | "crlf" | "size" | "done";
  #left: number;
  #received = 0;

  /**
   * Reads the body delimited by `delimiter` from `reader`; a chunked body
   * whose data passes `maxBytes` is refused when its chunk-size line says
   * so, before the data is read.
   */
  constructor(
    reader: BufferedReader,
    delimiter: BodyDelimiter,
    maxBytes = Number.POSITIVE_INFINITY,
  ) {
    this.#reader = reader;
    this.#maxBytes = maxBytes;
    this.#chunked = delimiter.kind === "chunked";
    this.#left = delimiter.kind === "length" ? delimiter.length : 0;
    this.#state = this.#chunked ? "size" : this.#left > 0 ? "data" : "done";
  }

  /** Data bytes returned so far. */
  get received(): number {
    return this.#received;
  }

  /** True once the whole body, trailers included, has been read. */
  get done(): boolean {
    return this.#state === "done";
  }

  /**
   * The next piece of data, at most `max` bytes, or `null` after the last
   * one. The view is valid until the next read from the reader.
   *
   * @throws {ProtocolError} `BAD_CHUNK` or `LINE_TOO_LONG` for broken
   * chunked framing, `UNEXPECTED_EOF` (or the reader's `INCOMPLETE_LINE`)
   * if the connection ends first.
   * @throws {BodyTooLargeError} when a chunked body passes `maxBytes`.
   */
  async read(max = 65536): Promise<Uint8Array | null> {
    for (;;) {
      switch (this.#state) {
        case "done":
          return null;
        case "data": {
          const view = await this.#reader.readView(Math.min(max, this.#left));
          if (view === null) throw this.#eof();
          this.#left -= view.length;
          this.#received += view.length;
          if (this.#left === 0) this.#state = this.#chunked ? "crlf" : "done";
          return view;
        }
        case "crlf": {
          const end = await this.#reader.readLine(2);
          if (end === null) throw this.#eof();
          if (end.length !== 0) {
            throw new ProtocolError(
              "BAD_CHUNK",
              "Chunk data is not followed by CRLF",
            );
          }
          this.#state = "size";
          break;
        }
        case "size": {
          const line = await this.#reader.readLine(4096);
          if (line === null) throw this.#eof();
          const size = parseChunkSize(decoder.decode(line));
          if (size === 0) {
            await this.#skipTrailers();
            this.#state = "done";
            return null;
          }
          if (this.#received + size > this.#maxBytes) {
            throw new BodyTooLargeError(this.#maxBytes);
          }
          this.#left = size;
          this.#state = "data";
          break;
        }
      }
    }
  }

  async #skipTrailers(): Promise<void> {
    for (let i = 0;; i++) {
      const line = await this.#reader.readLine(8192);
      if (line === null) {
        throw new ProtocolError(
          "UNEXPECTED_EOF",
          "Connection closed in the chunked trailer section",
        );
      }
      if (line.length === 0) return;
      if (i >= 100) {
        throw new ProtocolError("BAD_CHUNK", "Too many trailer fields");
      }
    }
  }

  #eof(): ProtocolError {
    return this.#chunked
      ? new ProtocolError(
        "UNEXPECTED_EOF",
        "Connection closed in the middle of a chunked body",
      )
      : new ProtocolError(
        "UNEXPECTED_EOF",
        `Connection closed after ${this.#received} of ${
          this.#received + this.#left
        } body bytes`,
      );
  }
}

const CHUNK_SIZE = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/;

/**
 * Parses a chunk-size line (hex size, optional extensions).
 *
 * @throws {ProtocolError} `BAD_CHUNK` when it is not one.
 */
export function parseChunkSize(line: string): number {
  const m = CHUNK_SIZE.exec(line);
  if (m === null) {
    throw new ProtocolError("BAD_CHUNK", "Malformed chunk size line");
  }
  return parseInt(m[1]!, 16);
}

/**
 * Reads until the connection ends (a close-delimited body). Resolves to the
 * number of bytes read.
 */
export async function readToEnd(
  reader: BufferedReader,
  sink: BodySink,
  scratch: Uint8Array = new Uint8Array(65536),
): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await reader.read(scratch);
    if (n === null) return total;
    total += n;
    await sink(scratch.subarray(0, n));
  }
}

/**
 * Parses a `Content-Length` value; repeated equal values (`"5, 5"`) are one.
 * Returns `null` when the value is not a single non-negative integer.
 */
export function parseContentLength(value: string): number | null {
  let result: number | null = null;
  for (const part of value.split(",")) {
    const t = part.trim();
    if (!/^\d{1,15}$/.test(t)) return null;
    const n = Number(t);
    if (result !== null && result !== n) return null;
    result = n;
  }
  return result;
}
