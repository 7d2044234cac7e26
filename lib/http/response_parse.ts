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
  holdsText,
  latin1,
  parseHeaderFields,
  splitHeadLines,
  TCHAR,
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

// "HTTP/d.d ddd" and the byte after it, position by position: 1 a byte
// that must equal STATUS_TEXT's, 2 a digit, 3 SP, CR or LF.
const STATUS_TEXT = "HTTP/0.0 000 ";
const STATUS_KIND = [1, 1, 1, 1, 1, 2, 1, 2, 1, 2, 2, 2, 3];

/** True when `c` may stand at `i` of a status line's first 13 bytes. */
function statusByteFits(i: number, c: number): boolean {
  const kind = STATUS_KIND[i];
  if (kind === 1) return c === STATUS_TEXT.charCodeAt(i);
  if (kind === 2) return isDigit(c);
  return c === SP || c === CR || c === LF;
}

/**
 * Scans the response head at the start of `buf` for its status and framing
 * without building a header map, and returns the index just past the head
 * (bytes after it, a body or the next response, are not looked at). The
 * status line is checked byte by byte, every field name must be a token and
 * every value free of control characters, and only `Content-Length`,
 * `Transfer-Encoding` and `Connection` are decoded. Accepts and rejects
 * exactly what {@linkcode parseResponseHead} does.
 *
 * One pass finds the head's end and reads it, so a client can call this on
 * whatever it has buffered: -1 means the blank line has not arrived yet,
 * and then `out` is not decided. A head that is already wrong may throw
 * before its end arrives.
 *
 * @throws {ProtocolError} as {@linkcode parseResponseHead} and
 * {@linkcode decideResponseFraming} do.
 */
export function scanResponseHead(
  buf: Uint8Array,
  requestMethod: string,
  out: ResponseFraming,
): number {
  const end = buf.length;
  const known = end < 13 ? end : 13;
  for (let i = 0; i < known; i++) {
    if (!statusByteFits(i, buf[i]!)) {
      throw new ProtocolError("BAD_STATUS_LINE", "Malformed status line");
    }
  }
  if (end < 13) return -1;
  if (buf[5] !== 49) {
    throw new ProtocolError(
      "UNSUPPORTED_VERSION",
      `HTTP/${buf[5]! - 48}.${buf[7]! - 48} is not supported`,
    );
  }
  const status = (buf[9]! - 48) * 100 + (buf[10]! - 48) * 10 +
    (buf[11]! - 48);
  checkStatusRange(status);
  let pos = restOfLine(buf, 12, end);
  if (pos === BAD_BYTE) {
    throw new ProtocolError("BAD_STATUS_LINE", "Malformed status line");
  }
  if (pos < 0) return -1;
  pos++;

  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  let connection: string | undefined;
  let lastField = 0;
  let count = 0;
  for (;;) {
    if (pos >= end) return -1;
    const first = buf[pos]!;
    if (first === CR && pos + 1 === end) return -1;
    if (first === LF || (first === CR && buf[pos + 1] === LF)) {
      pos += first === LF ? 1 : 2; // past the blank line
      break;
    }
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
      for (;;) {
        if (colon >= end) return -1;
        const c = buf[colon]!;
        if (c === 58) break;
        if (TCHAR[c] === 0) {
          throw badHeader(
            c === LF || c === CR
              ? "Header line has no name"
              : "Header name is not a valid token",
          );
        }
        colon++;
      }
      if (colon === pos) throw badHeader("Header line has no name");
      field = fieldOf(buf, pos, colon);
      valueStart = colon + 1;
    }
    const lineEnd = restOfLine(buf, valueStart, end);
    if (lineEnd === BAD_BYTE) {
      throw badHeader("Header value holds a control character");
    }
    if (lineEnd < 0) return -1;
    if (field !== 0) {
      const contentEnd = lineEnd > valueStart && buf[lineEnd - 1] === CR
        ? lineEnd - 1
        : lineEnd;
      const value = valueText(buf, valueStart, contentEnd);
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
    buf[7] === 48,
    contentLength,
    transferEncoding,
    connection,
  );
  return pos;
}

/** What {@linkcode restOfLine} returns for a byte a line may not hold. */
const BAD_BYTE = -2;

/**
 * Index of the LF that ends the line going on at `from`, checking on the
 * way that the line holds no control character but HT (and a CR only right
 * before its LF); -1 when the LF has not arrived, {@linkcode BAD_BYTE} for
 * a byte that is not allowed.
 */
function restOfLine(buf: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = buf[i]!;
    if (c >= SP) {
      if (c === 127) return BAD_BYTE;
    } else if (c === LF) return i;
    else if (c === CR) {
      if (i + 1 >= end) return -1;
      if (buf[i + 1] !== LF) return BAD_BYTE;
    } else if (c !== HT) return BAD_BYTE;
  }
  return -1;
}

const KEEP_ALIVE = "keep-alive";
const CLOSE = "close";

/**
 * A field value without its surrounding whitespace, as a string. The values
 * every response repeats (`keep-alive`, `close`, a length of up to 15
 * digits) come from constants and V8's number-string cache rather than a
 * new string per response.
 */
function valueText(buf: Uint8Array, start: number, end: number): string {
  while (start < end && (buf[start] === SP || buf[start] === HT)) start++;
  while (end > start && (buf[end - 1] === SP || buf[end - 1] === HT)) end--;
  const len = end - start;
  if (len > 0 && len <= 15 && (buf[start] !== 48 || len === 1)) {
    let n = 0;
    let i = start;
    for (; i < end; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === end) return String(n);
  }
  if (len === KEEP_ALIVE.length && holdsText(buf, start, KEEP_ALIVE)) {
    return KEEP_ALIVE;
  }
  if (len === CLOSE.length && holdsText(buf, start, CLOSE)) return CLOSE;
  return latin1(buf.subarray(start, end));
}

function join(prior: string | undefined, value: string, joiner: string) {
  if (prior === undefined) return value;
  if (joiner === " ") return value === "" ? prior : `${prior} ${value}`;
  return `${prior}${joiner}${value}`;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
