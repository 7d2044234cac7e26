/**
 * The header block a CGI script prints before its body (RFC 3875
 * section 6): finding where it ends in the script's output, and turning it
 * into a status and the headers to send.
 *
 * @module
 */

import {
  type HeaderList,
  isFieldValue,
  isToken,
  trimOws,
} from "../../http/header_fields.ts";

/** The largest header block accepted from a script, in bytes. */
export const CGI_MAX_HEAD_BYTES = 65_536;
/** The most header lines accepted from a script. */
export const CGI_MAX_HEADERS = 100;

/** Why a script's header block was refused (answered with 502). */
export class CgiOutputError extends Error {
  /**
   * A stable identifier: `BAD_HEADER`, `BAD_STATUS`, `DUPLICATE_FIELD`,
   * `NO_CGI_FIELD`, `TOO_MANY_HEADERS`, `HEAD_TOO_LARGE`, `NO_HEADER_BLOCK`.
   */
  readonly code: string;

  /** Creates the error with a stable `code`. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "CgiOutputError";
    this.code = code;
  }
}

/** Where a header block ends in a script's output. */
export interface HeaderBlockEnd {
  /**
   * Length of the header lines, up to (not including) the LF of the last
   * one; a CR before that LF is included, and the parser strips it.
   */
  headLength: number;
  /** Offset of the first body byte. */
  bodyOffset: number;
}

/**
 * Finds the blank line that ends the header block in `bytes` (lines end
 * with LF or CRLF, RFC 3875 section 6.3.2 allows either). `from` lets a
 * caller that appends output resume the scan instead of rescanning.
 * Returns null when the block is not complete yet.
 */
export function findHeaderBlockEnd(
  bytes: Uint8Array,
  from = 0,
): HeaderBlockEnd | null {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] !== 10 /* LF */) continue;
    // An empty line (LF or CR LF) right at the start: no header lines at
    // all. The end is still reported so the parser can say what is wrong.
    if (i === 0) return { headLength: 0, bodyOffset: 1 };
    const prev = bytes[i - 1];
    if (i === 1 && prev === 13) return { headLength: 0, bodyOffset: 2 };
    // headLength stops at the LF ending the last header line; the parser
    // strips a CR before it.
    if (prev === 10) return { headLength: i - 1, bodyOffset: i + 1 };
    if (prev === 13 && bytes[i - 2] === 10) {
      return { headLength: i - 2, bodyOffset: i + 1 };
    }
  }
  return null;
}

/** The response a script asked for. */
export interface CgiResponseHead {
  /** The status to send. */
  status: number;
  /** Headers to send, in the script's order and case. */
  headers: HeaderList;
  /** The `Location` value, when the script gave one. */
  location: string | null;
}

/**
 * Headers a script may not set: framing and connection management are
 * the server's job (a script's `Content-Length` cannot be trusted to match
 * what it prints), and `Date`/`Server` are always sent by the writer.
 */
const SERVER_OWNED: ReadonlySet<string> = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "upgrade",
  "trailer",
  "te",
  "date",
  "server",
]);

const STATUS_VALUE = /^([0-9]{3})(?:[ \t].*)?$/;

/** The status in a `Status:` value (`404 Not Found` or `404`). */
export function parseStatusValue(value: string): number {
  const m = STATUS_VALUE.exec(value);
  const status = m === null ? NaN : Number(m[1]);
  // A 1xx is an interim response and can never be the final one.
  if (!(status >= 200 && status <= 599)) {
    throw new CgiOutputError(
      "BAD_STATUS",
      `Status ${JSON.stringify(value)} is not a final status code`,
    );
  }
  return status;
}

const utf8 = new TextDecoder();

/**
 * Parses the header lines of a script's output (without the blank line).
 * A `Status` field sets the status; a `Location` without one means 302
 * (RFC 3875 section 6.2.3/6.2.4; local paths included, see cgi.ts); at
 * least one of `Content-Type`, `Location`, `Status` is required.
 *
 * @throws {CgiOutputError} for anything a client must not receive.
 */
export function parseCgiHeaderBlock(head: Uint8Array): CgiResponseHead {
  if (head.length > CGI_MAX_HEAD_BYTES) {
    throw new CgiOutputError(
      "HEAD_TOO_LARGE",
      `Header block is larger than ${CGI_MAX_HEAD_BYTES} bytes`,
    );
  }
  // UTF-8 rather than Latin-1: the response writer encodes heads as UTF-8,
  // so this makes non-ASCII bytes (e.g. a filename) go out unchanged.
  const text = utf8.decode(head);
  if (text === "") {
    throw new CgiOutputError("NO_CGI_FIELD", "Header block is empty");
  }
  const lines = text.split("\n");
  if (lines.length > CGI_MAX_HEADERS) {
    throw new CgiOutputError(
      "TOO_MANY_HEADERS",
      `More than ${CGI_MAX_HEADERS} header lines`,
    );
  }
  let status: number | null = null;
  let location: string | null = null;
  let contentType = false;
  const headers: HeaderList = [];
  for (const raw of lines) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon) : "";
    if (!isToken(name)) {
      throw new CgiOutputError(
        "BAD_HEADER",
        `Header line ${JSON.stringify(line.slice(0, 80))} is malformed`,
      );
    }
    const value = trimOws(line.slice(colon + 1));
    if (!isFieldValue(value)) {
      throw new CgiOutputError(
        "BAD_HEADER",
        `Header ${name} holds a control character`,
      );
    }
    const lower = name.toLowerCase();
    if (lower === "status") {
      if (status !== null) throw duplicate(name);
      status = parseStatusValue(value);
    } else if (lower === "location") {
      if (location !== null) throw duplicate(name);
      if (value === "") {
        throw new CgiOutputError("BAD_HEADER", "Location is empty");
      }
      location = value;
      headers.push(["Location", value]);
    } else if (lower === "content-type") {
      if (contentType) throw duplicate(name);
      contentType = true;
      headers.push([name, value]);
    } else if (!SERVER_OWNED.has(lower)) {
      headers.push([name, value]);
    }
  }
  if (status === null && location === null && !contentType) {
    throw new CgiOutputError(
      "NO_CGI_FIELD",
      "Header block has none of Content-Type, Location or Status",
    );
  }
  return {
    status: status ?? (location !== null ? 302 : 200),
    headers,
    location,
  };
}

function duplicate(name: string): CgiOutputError {
  return new CgiOutputError(
    "DUPLICATE_FIELD",
    `Header ${name} appears more than once`,
  );
}
