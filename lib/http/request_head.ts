/**
 * Parsing of an HTTP/1.x request head (RFC 9112 sections 3 and 5) from raw
 * bytes, with the limits a server needs to stay safe.
 *
 * @module
 */

import { HttpError } from "./errors.ts";
import { type HeaderMap, holdsText, latin1, TCHAR } from "./header_fields.ts";
import { isValidHost } from "./request_target.ts";

/** A parsed request line and header fields. */
export interface RequestHead {
  /** The method, case-sensitive as sent (`GET`, `HEAD`, …). */
  readonly method: string;
  /** The request-target exactly as sent. */
  readonly target: string;
  /** The protocol version, normalised to `HTTP/1.0` or `HTTP/1.1`. */
  readonly version: "HTTP/1.0" | "HTTP/1.1";
  /** Header fields keyed by lower-cased name. */
  readonly headers: HeaderMap;
}

/** Limits applied while parsing a request head. */
export interface RequestHeadLimits {
  /** Longest request-target accepted; longer gets 414. */
  maxTargetLength: number;
  /** Most header fields accepted; more gets 431. */
  maxHeaderCount: number;
}

/** Limits like nginx's defaults: 8 KiB targets, 100 fields. */
export const DEFAULT_REQUEST_HEAD_LIMITS: RequestHeadLimits = {
  maxTargetLength: 8192,
  maxHeaderCount: 100,
};

/** Methods this toolkit knows; any other token method is answered 501. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
]);

const VERSION = /^HTTP\/(\d)\.(\d)$/;

const SP = 32;
const HT = 9;
const CR = 13;
const LF = 10;
const COLON = 58;

// The known methods by their bytes, so that the usual request allocates no
// string for its method.
const METHOD_LIST = [...KNOWN_METHODS];

// Field names most requests carry, lower-case, found by their bytes so
// that no string is made and lower-cased per field per request.
const COMMON_NAMES = [
  "host",
  "connection",
  "user-agent",
  "accept",
  "accept-encoding",
  "accept-language",
  "referer",
  "cookie",
  "origin",
  "range",
  "if-range",
  "if-none-match",
  "if-modified-since",
  "content-length",
  "content-type",
  "transfer-encoding",
  "expect",
  "authorization",
  "cache-control",
  "pragma",
  "priority",
  "upgrade-insecure-requests",
  "sec-fetch-dest",
  "sec-fetch-mode",
  "sec-fetch-site",
  "sec-fetch-user",
  "dnt",
  "te",
];
const NAMES_BY_LENGTH: number[][] = [];
for (let i = 0; i < COMMON_NAMES.length; i++) {
  (NAMES_BY_LENGTH[COMMON_NAMES[i]!.length] ??= []).push(i);
}
// The last value seen of each common name: clients repeat theirs on every
// request, which then costs a comparison instead of a new string.
const lastValues: string[] = COMMON_NAMES.map(() => "");

/** Index into COMMON_NAMES of the token `buf[start, end)`, any case; or -1. */
function commonName(buf: Uint8Array, start: number, end: number): number {
  const candidates = NAMES_BY_LENGTH[end - start];
  if (candidates === undefined) return -1;
  for (const index of candidates) {
    const name = COMMON_NAMES[index]!;
    let i = 0;
    // OR-ing 0x20 lower-cases letters and leaves '-' and digits alone; the
    // bytes are a valid token already.
    while (i < name.length && (buf[start + i]! | 0x20) === name.charCodeAt(i)) {
      i++;
    }
    if (i === name.length) return index;
  }
  return -1;
}

/** Decodes `buf[start, end)` one byte to one character. */
function text(buf: Uint8Array, start: number, end: number): string {
  return latin1(buf.subarray(start, end));
}

function badHeader(message: string): HttpError {
  return new HttpError(400, "BAD_HEADER", message);
}

/** The error for a field line at `pos` whose name is not a token. */
function badName(head: Uint8Array, pos: number, end: number): HttpError {
  let lf = head.indexOf(LF, pos);
  if (lf < 0) lf = end;
  const colon = head.indexOf(COLON, pos);
  return badHeader(
    colon > pos && colon < lf
      ? "Header name is not a valid token"
      : "Header line has no name",
  );
}

/**
 * Parses a request head (the bytes up to and including its blank line) in
 * one pass over its bytes: strings are made only for the target, the
 * field values and uncommon names, and a value repeated from the previous
 * request (the same Host, User-Agent…) reuses that request's string.
 *
 * A head identical, byte for byte, to the last one parsed (a client
 * polling one URL, a load balancer's health check, a benchmark) is not
 * parsed again: the result is the same object, which is why a head and
 * its fields are read-only.
 *
 * @throws {HttpError} 400 for bad syntax, 414 for a long target, 431 for
 * too many fields, 501 for an unknown method, 505 for an unsupported
 * version.
 */
export function parseRequestHead(
  head: Uint8Array,
  limits: RequestHeadLimits = DEFAULT_REQUEST_HEAD_LIMITS,
): RequestHead {
  const length = head.length;
  if (
    lastHead !== null && limits === lastLimits &&
    holdsLastHead(head, 0, length)
  ) return lastHead;
  let parsed: RequestHead;
  try {
    parsed = parseHead(head, limits);
  } catch (err) {
    // A bare CR always fails some check of the parse, which is why only a
    // head refused looks for one, to name it before anything else.
    for (let cr = head.indexOf(CR); cr >= 0; cr = head.indexOf(CR, cr + 2)) {
      if (head[cr + 1] !== LF) {
        throw new HttpError(400, "BARE_CR", "Request head holds a bare CR");
      }
    }
    throw err;
  }
  if (length <= lastHeadBytes.length) {
    lastHeadBytes.set(head);
    lastHeadLength = length;
    lastLimits = limits;
    lastHead = parsed;
  }
  return parsed;
}

// The last head parsed, when it fits (most do), and what it parsed to.
const lastHeadBytes = new Uint8Array(2048);
let lastHeadLength = 0;
let lastLimits: RequestHeadLimits | null = null;
let lastHead: RequestHead | null = null;

/** True when `buf[start, end)` holds the bytes of the last head parsed. */
function holdsLastHead(buf: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  if (length !== lastHeadLength) return false;
  for (let i = 0; i < length; i++) {
    if (buf[start + i] !== lastHeadBytes[i]) return false;
  }
  return true;
}

/**
 * True when `buf[start, end)` holds exactly the bytes of the last head
 * parsed (with the default limits) and `headers` are that head's fields:
 * a server that knows what it parsed a client's last head to can then
 * recognize the same head again in one comparison, without searching
 * for its end or calling the parser. A view is not needed, so none is
 * made.
 */
export function isRepeatedHead(
  headers: HeaderMap,
  buf: Uint8Array,
  start: number,
  end: number,
): boolean {
  return lastHead !== null && lastHead.headers === headers &&
    lastLimits === DEFAULT_REQUEST_HEAD_LIMITS &&
    holdsLastHead(buf, start, end);
}

/** {@linkcode parseRequestHead} but for naming a bare CR. */
function parseHead(head: Uint8Array, limits: RequestHeadLimits): RequestHead {
  const end = head.length;
  let lineEnd = head.indexOf(LF);
  if (lineEnd < 0) lineEnd = end;
  const contentEnd = lineEnd > 0 && head[lineEnd - 1] === CR
    ? lineEnd - 1
    : lineEnd;
  const { method, target, version } = requestLine(head, contentEnd, limits);

  const headers = new Map<string, string>();
  let count = 0;
  let pos = lineEnd + 1;
  // Each line in one pass: the name's bytes up to the colon, then the
  // value's up to the line end, each checked as it is crossed.
  while (pos < end) {
    const first = head[pos]!;
    if (first === LF || (first === CR && head[pos + 1] === LF)) break;
    if (++count > limits.maxHeaderCount) {
      throw new HttpError(
        431,
        "TOO_MANY_HEADERS",
        `More than ${limits.maxHeaderCount} header fields`,
      );
    }
    if (first === SP || first === HT) {
      throw new HttpError(400, "OBS_FOLD", "Folded header lines are obsolete");
    }
    let colon = pos;
    while (colon < end && TCHAR[head[colon]!] === 1) colon++;
    if (colon === pos || head[colon] !== COLON) {
      throw badName(head, pos, end);
    }
    let v0 = colon + 1;
    while (v0 < end && (head[v0] === SP || head[v0] === HT)) v0++;
    let stop = v0;
    for (; stop < end; stop++) {
      const c = head[stop]!;
      if ((c < SP && c !== HT) || c === 127) break;
    }
    // The value ends at the line's end (LF, CRLF or the last byte), or
    // at a control character, which is refused.
    let lf = stop;
    if (stop < end && head[stop] !== LF) {
      if (head[stop] !== CR || head[stop + 1] !== LF) {
        throw badHeader("Header value holds a control character");
      }
      lf = stop + 1;
    }
    let v1 = stop;
    while (v1 > v0 && (head[v1 - 1] === SP || head[v1 - 1] === HT)) v1--;
    const known = commonName(head, pos, colon);
    let name: string;
    let value: string;
    if (known >= 0) {
      name = COMMON_NAMES[known]!;
      const last = lastValues[known]!;
      if (last.length === v1 - v0 && holdsText(head, v0, last)) value = last;
      else value = lastValues[known] = text(head, v0, v1);
    } else {
      name = text(head, pos, colon).toLowerCase();
      value = text(head, v0, v1);
    }
    const prior = headers.get(name);
    if (prior === undefined) headers.set(name, value);
    else if (name === "cookie") headers.set(name, `${prior}; ${value}`);
    else if (name === "set-cookie") headers.set(name, `${prior}\n${value}`);
    else headers.set(name, `${prior}, ${value}`);
    pos = lf + 1;
  }

  const host = headers.get("host");
  if (host === undefined) {
    if (version === "HTTP/1.1") {
      throw new HttpError(400, "MISSING_HOST", "HTTP/1.1 request has no Host");
    }
  } else if (host !== lastValidHost) {
    if (!isValidHost(host)) {
      throw new HttpError(400, "BAD_HOST", "Host header is not a valid host");
    }
    lastValidHost = host;
  }
  return { method, target, version, headers };
}

// Clients repeat one Host on every request: the last valid one needs no
// second check.
let lastValidHost = "";
// The target of the last request line parsed.
let lastTarget = "";

/**
 * Parses `method SP request-target SP HTTP-version`, the bytes
 * `line[0, end)`.
 *
 * @throws {HttpError} as {@linkcode parseRequestHead} does.
 */
function requestLine(
  line: Uint8Array,
  end: number,
  limits: RequestHeadLimits,
): Pick<RequestHead, "method" | "target" | "version"> {
  let sp1 = line.indexOf(SP);
  if (sp1 >= end) sp1 = -1;
  let sp2 = end - 1;
  while (sp2 > sp1 && line[sp2] !== SP) sp2--;
  if (sp1 <= 0 || sp2 === sp1) {
    throw new HttpError(400, "BAD_REQUEST_LINE", "Malformed request line");
  }
  let method: string | undefined;
  for (const m of METHOD_LIST) {
    if (m.length === sp1 && holdsText(line, 0, m)) {
      method = m;
      break;
    }
  }
  // A known method is a token; an unknown one is checked in full.
  if (method === undefined) {
    for (let i = 0; i < sp1; i++) {
      if (TCHAR[line[i]!] === 0) {
        throw new HttpError(400, "BAD_METHOD", "Method is not a valid token");
      }
    }
  }
  const targetLength = sp2 - sp1 - 1;
  if (targetLength > limits.maxTargetLength) {
    throw new HttpError(
      414,
      "TARGET_TOO_LONG",
      `Request target is longer than ${limits.maxTargetLength} bytes`,
    );
  }
  let targetOk = targetLength > 0;
  // Visible ASCII only: anything else in a target must be percent-encoded.
  for (let i = sp1 + 1; i < sp2 && targetOk; i++) {
    const c = line[i]!;
    targetOk = c > SP && c < 127;
  }
  if (!targetOk) {
    throw new HttpError(
      400,
      "BAD_TARGET",
      "Request target holds a space or a non-ASCII byte",
    );
  }
  // A client asking for the same target again reuses its string.
  let target = lastTarget;
  if (target.length !== targetLength || !holdsText(line, sp1 + 1, target)) {
    target = lastTarget = text(line, sp1 + 1, sp2);
  }
  // The two versions every client sends, without the regular expression.
  if (end - sp2 - 1 === 8 && holdsText(line, sp2 + 1, "HTTP/1.")) {
    const minor = line[sp2 + 8];
    if (minor === 49 || minor === 48) {
      if (method === undefined) throw unknownMethod();
      return {
        method,
        target,
        version: minor === 49 ? "HTTP/1.1" : "HTTP/1.0",
      };
    }
  }
  const versionText = text(line, sp2 + 1, end);
  const match = VERSION.exec(versionText);
  if (match === null) {
    throw new HttpError(400, "BAD_VERSION", "Malformed HTTP version");
  }
  if (match[1] !== "1") {
    throw new HttpError(
      505,
      "VERSION_NOT_SUPPORTED",
      `${versionText} is not supported`,
    );
  }
  if (method === undefined) throw unknownMethod();
  // A higher 1.x minor version is answered as 1.1 (RFC 9110 section 2.5).
  return {
    method,
    target,
    version: match[2] === "0" ? "HTTP/1.0" : "HTTP/1.1",
  };
}

function unknownMethod(): HttpError {
  return new HttpError(501, "UNKNOWN_METHOD", "Method is not implemented");
}

/**
 * True when the request line in a head that was too large to finish had
 * not ended yet: such a request is answered 414 rather than 431.
 */
export function isRequestLineUnfinished(partial: Uint8Array): boolean {
  return partial.indexOf(10) < 0;
}
