/**
 * Parsing of HTTP/1.x response heads (RFC 9112 section 4) for clients,
 * with the framing of the body that follows (see `response_framing.ts`).
 *
 * Two entry points share one set of framing rules: {@linkcode parseResponseHead}
 * reads every header field into a map, and {@linkcode scanResponseHead}
 * reads the status line and only the three fields that decide framing and
 * connection reuse, straight from the bytes, for a load generator's hot
 * loop.
 *
 * @module
 */

import { ProtocolError } from "./errors.ts";
import {
  type HeaderMap,
  HeaderSyntaxError,
  latin1,
  parseHeaderFields,
  splitHeadLines,
  trimOws,
} from "./header_fields.ts";
import {
  decideResponseFraming,
  newResponseFraming,
  type ResponseFraming,
} from "./response_framing.ts";

/** The framing rules, re-exported so that a client needs one import. */
export {
  type BodyFramingKind,
  decideResponseFraming,
  newResponseFraming,
  type ResponseFraming,
} from "./response_framing.ts";

/** A parsed status line and header fields. */
export interface ResponseHead {
  /** The protocol version, `HTTP/1.0` or `HTTP/1.1` (higher 1.x reads as 1.1). */
  version: "HTTP/1.0" | "HTTP/1.1";
  /** The three-digit status code. */
  status: number;
  /** The reason phrase, possibly empty. */
  reason: string;
  /** Header fields keyed by lower-cased name. */
  headers: HeaderMap;
}

const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: (.*))?$/;
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Parses a response head (the bytes up to and including its blank line)
 * with every header field. Obsolete line folding is replaced by a space,
 * as RFC 9112 section 5.2 asks of user agents.
 *
 * @throws {ProtocolError} `BAD_STATUS_LINE`, `UNSUPPORTED_VERSION`,
 * `BAD_STATUS` for the status line, `BAD_HEADER` (with the field parser's
 * reason) for the fields.
 */
export function parseResponseHead(head: Uint8Array): ResponseHead {
  const text = latin1(head);
  const firstLf = text.indexOf("\n");
  // A fold right after the status line has no field to continue, so it is
  // left for the field parser to refuse.
  const unfolded = firstLf < 0 ? text : text.slice(0, firstLf + 1) +
    text.slice(firstLf + 1).replace(/\r?\n[ \t]+/g, " ");
  const lines = splitHeadLines(unfolded);
  const statusLine = lines[0] ?? "";
  const match = STATUS_LINE.exec(statusLine);
  if (match === null || CONTROL.test(match[4] ?? "")) {
    throw new ProtocolError("BAD_STATUS_LINE", "Malformed status line");
  }
  if (match[1] !== "1") {
    throw new ProtocolError(
      "UNSUPPORTED_VERSION",
      `HTTP/${match[1]}.${match[2]} is not supported`,
    );
  }
  const status = Number(match[3]);
  checkStatusRange(status);
  let headers: HeaderMap;
  try {
    headers = parseHeaderFields(lines, 1, 1000);
  } catch (err) {
    if (err instanceof HeaderSyntaxError) {
      throw new ProtocolError("BAD_HEADER", err.message);
    }
    throw err;
  }
  return {
    version: match[2] === "0" ? "HTTP/1.0" : "HTTP/1.1",
    status,
    reason: match[4] ?? "",
    headers,
  };
}

/** Framing of a fully parsed head, by the same rules as the scanner. */
export function responseFraming(
  head: ResponseHead,
  requestMethod: string,
  out: ResponseFraming = newResponseFraming(),
): ResponseFraming {
  decideResponseFraming(
    out,
    requestMethod,
    head.status,
    head.version === "HTTP/1.0",
    head.headers.get("content-length"),
    head.headers.get("transfer-encoding"),
    head.headers.get("connection"),
  );
  return out;
}

function checkStatusRange(status: number): void {
  // RFC 9110 section 15: codes outside 100..599 are invalid.
  if (status < 100 || status > 599) {
    throw new ProtocolError("BAD_STATUS", `Status code ${status} is invalid`);
  }
}

// tchar (RFC 9110 section 5.6.2) as a lookup table over bytes.
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = 1;
for (let c = 97; c <= 122; c++) TCHAR[c] = 1;

const SP = 32;
const HT = 9;
const CR = 13;
const LF = 10;
const FIELD_CONTENT_LENGTH = 1;
const FIELD_TRANSFER_ENCODING = 2;
const FIELD_CONNECTION = 3;

/** Which framing field a name is, compared case-insensitively in place. */
function fieldOf(head: Uint8Array, start: number, end: number): number {
  const len = end - start;
  let want: string;
  let field: number;
  if (len === 14) [want, field] = ["content-length", FIELD_CONTENT_LENGTH];
  else if (len === 17) {
    [want, field] = ["transfer-encoding", FIELD_TRANSFER_ENCODING];
  } else if (len === 10) [want, field] = ["connection", FIELD_CONNECTION];
  else return 0;
  for (let i = 0; i < len; i++) {
    // OR-ing 0x20 lower-cases letters; the other bytes compared are not letters.
    if ((head[start + i]! | 0x20) !== want.charCodeAt(i)) return 0;
  }
  return field;
}

function badHeader(message: string): ProtocolError {
  return new ProtocolError("BAD_HEADER", message);
}

/**
 * Scans a response head for its status and framing without building a
 * header map: the status line is checked byte by byte, every field name
 * must be a token and every value free of control characters, and only
 * `Content-Length`, `Transfer-Encoding` and `Connection` are decoded.
 * Accepts and rejects exactly what {@linkcode parseResponseHead} does.
 *
 * @throws {ProtocolError} as {@linkcode parseResponseHead} and
 * {@linkcode decideResponseFraming} do.
 */
export function scanResponseHead(
  head: Uint8Array,
  requestMethod: string,
  out: ResponseFraming,
): void {
  const end = head.length;
  // "HTTP/d.d ddd" then SP, CR or LF.
  if (
    end < 13 || head[0] !== 72 || head[1] !== 84 || head[2] !== 84 ||
    head[3] !== 80 || head[4] !== 47 || head[6] !== 46 || head[8] !== SP ||
    !isDigit(head[5]!) || !isDigit(head[7]!) || !isDigit(head[9]!) ||
    !isDigit(head[10]!) || !isDigit(head[11]!)
  ) {
    throw new ProtocolError("BAD_STATUS_LINE", "Malformed status line");
  }
  const after = head[12]!;
  if (after !== SP && after !== CR && after !== LF) {
    throw new ProtocolError("BAD_STATUS_LINE", "Malformed status line");
  }
  if (head[5] !== 49) {
    throw new ProtocolError(
      "UNSUPPORTED_VERSION",
      `HTTP/${head[5]! - 48}.${head[7]! - 48} is not supported`,
    );
  }
  const status = (head[9]! - 48) * 100 + (head[10]! - 48) * 10 +
    (head[11]! - 48);
  checkStatusRange(status);
  let pos = head.indexOf(LF, 12);
  if (pos < 0) {
    throw new ProtocolError("BAD_STATUS_LINE", "Malformed status line");
  }
  if (after === CR && pos !== 13) {
    throw new ProtocolError("BAD_STATUS_LINE", "Malformed status line");
  }
  for (let i = 13; i < pos; i++) {
    const c = head[i]!;
    if ((c < SP && c !== HT && !(c === CR && i === pos - 1)) || c === 127) {
      throw new ProtocolError("BAD_STATUS_LINE", "Malformed status line");
    }
  }
  pos++;

  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  let connection: string | undefined;
  let lastField = 0;
  let count = 0;
  while (pos < end) {
    let lineEnd = head.indexOf(LF, pos);
    if (lineEnd < 0) lineEnd = end;
    const contentEnd = lineEnd > pos && head[lineEnd - 1] === CR
      ? lineEnd - 1
      : lineEnd;
    if (contentEnd === pos) break; // the blank line
    const first = head[pos]!;
    let valueStart: number;
    let field: number;
    if (first === SP || first === HT) {
      // obs-fold: the line continues the previous field's value.
      if (count === 0) throw badHeader("Header line has no name");
      valueStart = pos;
      field = lastField;
    } else {
      if (++count > 1000) throw badHeader("More than 1000 header fields");
      let colon = pos;
      while (colon < contentEnd && head[colon] !== 58) {
        if (TCHAR[head[colon]!] === 0) {
          throw badHeader("Header name is not a valid token");
        }
        colon++;
      }
      if (colon === contentEnd || colon === pos) {
        throw badHeader("Header line has no name");
      }
      field = fieldOf(head, pos, colon);
      valueStart = colon + 1;
    }
    for (let i = valueStart; i < contentEnd; i++) {
      const c = head[i]!;
      if ((c < SP && c !== HT) || c === 127) {
        throw badHeader("Header value holds a control character");
      }
    }
    if (field !== 0) {
      const value = trimOws(latin1(head.subarray(valueStart, contentEnd)));
      const joiner = field === lastField && valueStart === pos ? " " : ", ";
      if (field === FIELD_CONTENT_LENGTH) {
        contentLength = join(contentLength, value, joiner);
      } else if (field === FIELD_TRANSFER_ENCODING) {
        transferEncoding = join(transferEncoding, value, joiner);
      } else connection = join(connection, value, joiner);
    }
    lastField = field;
    pos = lineEnd + 1;
  }
  decideResponseFraming(
    out,
    requestMethod,
    status,
    head[7] === 48,
    contentLength,
    transferEncoding,
    connection,
  );
}

function join(prior: string | undefined, value: string, joiner: string) {
  if (prior === undefined) return value;
  if (joiner === " ") return value === "" ? prior : `${prior} ${value}`;
  return `${prior}${joiner}${value}`;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
