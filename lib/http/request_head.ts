/**
 * Parsing of an HTTP/1.x request head (RFC 9112 sections 3 and 5) from raw
 * bytes, with the limits a server needs to stay safe.
 *
 * @module
 */

import { HttpError } from "./errors.ts";
import {
  type HeaderMap,
  HeaderSyntaxError,
  isToken,
  latin1,
  parseHeaderFields,
  splitHeadLines,
} from "./header_fields.ts";
import { isValidHost } from "./request_target.ts";

/** A parsed request line and header fields. */
export interface RequestHead {
  /** The method, case-sensitive as sent (`GET`, `HEAD`, …). */
  method: string;
  /** The request-target exactly as sent. */
  target: string;
  /** The protocol version, normalised to `HTTP/1.0` or `HTTP/1.1`. */
  version: "HTTP/1.0" | "HTTP/1.1";
  /** Header fields keyed by lower-cased name. */
  headers: HeaderMap;
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
// Visible ASCII only: anything else in a target must be percent-encoded.
const BAD_TARGET_CHAR = /[^\x21-\x7e]/;

/**
 * Parses a request head (the bytes up to and including its blank line).
 *
 * @throws {HttpError} 400 for bad syntax, 414 for a long target, 431 for
 * too many fields, 501 for an unknown method, 505 for an unsupported
 * version.
 */
export function parseRequestHead(
  head: Uint8Array,
  limits: RequestHeadLimits = DEFAULT_REQUEST_HEAD_LIMITS,
): RequestHead {
  const text = latin1(head);
  for (let cr = text.indexOf("\r"); cr >= 0; cr = text.indexOf("\r", cr + 2)) {
    if (text.charCodeAt(cr + 1) !== 10) {
      throw new HttpError(400, "BARE_CR", "Request head holds a bare CR");
    }
  }
  const lines = splitHeadLines(text);
  const requestLine = lines[0] ?? "";
  const { method, target, version } = parseRequestLine(requestLine, limits);

  let headers: HeaderMap;
  try {
    headers = parseHeaderFields(lines, 1, limits.maxHeaderCount);
  } catch (err) {
    if (err instanceof HeaderSyntaxError) {
      const status = err.code === "TOO_MANY_HEADERS" ? 431 : 400;
      throw new HttpError(status, err.code, err.message);
    }
    throw err;
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

/**
 * Parses `method SP request-target SP HTTP-version`.
 *
 * @throws {HttpError} as {@linkcode parseRequestHead} does.
 */
export function parseRequestLine(
  line: string,
  limits: RequestHeadLimits = DEFAULT_REQUEST_HEAD_LIMITS,
): Pick<RequestHead, "method" | "target" | "version"> {
  const sp1 = line.indexOf(" ");
  const sp2 = line.lastIndexOf(" ");
  if (sp1 <= 0 || sp2 === sp1) {
    throw new HttpError(400, "BAD_REQUEST_LINE", "Malformed request line");
  }
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  const versionText = line.slice(sp2 + 1);
  // A known method is a token; an unknown one is checked in full.
  const known = KNOWN_METHODS.has(method);
  if (!known && !isToken(method)) {
    throw new HttpError(400, "BAD_METHOD", "Method is not a valid token");
  }
  if (target.length > limits.maxTargetLength) {
    throw new HttpError(
      414,
      "TARGET_TOO_LONG",
      `Request target is longer than ${limits.maxTargetLength} bytes`,
    );
  }
  if (target === "" || BAD_TARGET_CHAR.test(target)) {
    throw new HttpError(
      400,
      "BAD_TARGET",
      "Request target holds a space or a non-ASCII byte",
    );
  }
  // The two versions every client sends, without the regular expression.
  if (versionText === "HTTP/1.1" || versionText === "HTTP/1.0") {
    if (!known) throw unknownMethod();
    return { method, target, version: versionText };
  }
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
  if (!known) throw unknownMethod();
  // A higher 1.x minor version is answered as 1.1 (RFC 9110 section 2.5).
  const version = match[2] === "0" ? "HTTP/1.0" : "HTTP/1.1";
  return { method, target, version };
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
