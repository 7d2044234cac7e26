/**
 * Reading message bodies framed by `Content-Length`, by chunked transfer
 * coding (RFC 9112 section 7.1), or by the end of the connection; and
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
