/**
 * Deciding how a request body is framed (RFC 9112 section 6.3) and reading
 * it whole, within the size limit, answering `Expect: 100-continue`.
 *
 * @module
 */

import {
  BodyTooLargeError,
  parseContentLength,
  readChunkedBody,
  readFixedBody,
} from "../../http/body.ts";
import type { BufferedReader } from "../../http/buffered_reader.ts";
import { HttpError, ProtocolError } from "../../http/errors.ts";
import type { HeaderMap } from "../../http/header_fields.ts";
import { trimOws } from "../../http/header_fields.ts";
import { type ByteSink, writeAll } from "../../http/response_head.ts";

/** How the body of a request is framed. */
export type BodyFraming =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" };

const EMPTY = new Uint8Array(0);
const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");

/**
 * Works out the framing of a request body from its headers.
 *
 * @throws {HttpError} 400 for conflicting or malformed framing, 501 for a
 * transfer coding other than chunked, 413 for a length over `maxBytes`.
 */
export function requestBodyFraming(
  headers: HeaderMap,
  version: "HTTP/1.0" | "HTTP/1.1",
  maxBytes: number,
): BodyFraming {
  const te = headers.get("transfer-encoding");
  const cl = headers.get("content-length");
  if (te !== undefined) {
    // Both framings at once is how requests get smuggled: refuse it.
    if (cl !== undefined) {
      throw new HttpError(
        400,
        "AMBIGUOUS_FRAMING",
        "Request has both Transfer-Encoding and Content-Length",
      );
    }
    if (version === "HTTP/1.0") {
      throw new HttpError(
        400,
        "BAD_FRAMING",
        "Transfer-Encoding is not defined for HTTP/1.0",
      );
    }
    const codings = te.split(",").map((c) => trimOws(c).toLowerCase());
    if (codings.length !== 1 || codings[0] !== "chunked") {
      throw new HttpError(
        501,
        "UNSUPPORTED_TRANSFER_CODING",
        "Only the chunked transfer coding is supported",
      );
    }
    return { kind: "chunked" };
  }
  if (cl !== undefined) {
    const length = parseContentLength(cl);
    if (length === null) {
      throw new HttpError(
        400,
        "BAD_CONTENT_LENGTH",
        "Malformed Content-Length",
      );
    }
    if (length > maxBytes) {
      throw new HttpError(
        413,
        "BODY_TOO_LARGE",
        `Request body is larger than ${maxBytes} bytes`,
      );
    }
    return length === 0 ? { kind: "none" } : { kind: "length", length };
  }
  return { kind: "none" };
}

/**
 * Reads a request body whole. Sends `100 Continue` first when the client
 * asked for it; refuses other expectations with 417.
 *
 * @throws {HttpError} 413 when a chunked body passes `maxBytes`, 417 for an
 * unknown expectation, 400 for a broken chunked body.
 * @throws {ProtocolError} when the connection ends mid-body.
 */
export async function readRequestBody(
  reader: BufferedReader,
  sink: ByteSink,
  headers: HeaderMap,
  framing: BodyFraming,
  version: "HTTP/1.0" | "HTTP/1.1",
  maxBytes: number,
  onProgress: () => void = () => {},
): Promise<Uint8Array> {
  const expect = headers.get("expect");
  if (expect !== undefined) {
    if (expect.toLowerCase() !== "100-continue") {
      throw new HttpError(417, "UNKNOWN_EXPECTATION", "Unknown expectation");
    }
    if (
      framing.kind !== "none" && version === "HTTP/1.1" && reader.buffered === 0
    ) {
      await writeAll(sink, CONTINUE);
    }
  }
  if (framing.kind === "none") return EMPTY;
  if (framing.kind === "length") {
    const body = new Uint8Array(framing.length);
    let off = 0;
    await readFixedBody(reader, framing.length, (chunk) => {
      body.set(chunk, off);
      off += chunk.length;
      onProgress();
    });
    return body;
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    await readChunkedBody(reader, (chunk) => {
      parts.push(chunk.slice());
      total += chunk.length;
      onProgress();
    }, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      throw new HttpError(413, "BODY_TOO_LARGE", err.message);
    }
    // A broken frame gets a 400; a connection that ended has no one to tell.
    if (
      err instanceof ProtocolError &&
      (err.code === "BAD_CHUNK" || err.code === "LINE_TOO_LONG")
    ) {
      throw new HttpError(400, "BAD_CHUNK", err.message);
    }
    throw err;
  }
  const body = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    body.set(p, off);
    off += p.length;
  }
  return body;
}
