/**
 * The framing of a response body and whether its connection can be reused,
 * decided from the status, the version and three header fields by the
 * rules of RFC 9112 sections 6.1, 6.3 and 9.3. Shared by the full response
 * parser and the hot-loop scanner so that both frame alike.
 *
 * @module
 */

import { ProtocolError } from "./errors.ts";
import { trimOws } from "./header_fields.ts";

/** How the body of a response is delimited. */
export type BodyFramingKind = "none" | "length" | "chunked" | "close";

/**
 * What a client needs to read one response and decide whether the
 * connection can carry another. Reused between responses by the scanner.
 */
export interface ResponseFraming {
  /** The status code. */
  status: number;
  /** How the body is delimited. */
  body: BodyFramingKind;
  /** The body length when `body` is `"length"`, else 0. */
  length: number;
  /** True when the connection may carry the next request. */
  keepAlive: boolean;
}

/** A fresh framing record to fill, one per connection. */
export function newResponseFraming(): ResponseFraming {
  return { status: 0, body: "none", length: 0, keepAlive: false };
}

/**
 * Decides the body framing and connection reuse of a response from its
 * status, version and the three fields that matter (RFC 9112 sections 6.1,
 * 6.3 and 9.3), writing the result into `out`.
 *
 * @throws {ProtocolError} `BAD_CONTENT_LENGTH` for an invalid length,
 * `BAD_TRANSFER_ENCODING` for a transfer coding in an HTTP/1.0 response.
 */
export function decideResponseFraming(
  out: ResponseFraming,
  requestMethod: string,
  status: number,
  http10: boolean,
  contentLength: string | undefined,
  transferEncoding: string | undefined,
  connection: string | undefined,
): void {
  out.status = status;
  out.length = 0;
  out.keepAlive = http10
    ? listsToken(connection, "keep-alive")
    : !listsToken(connection, "close");
  // Item 1: these responses end at their head, whatever they announce.
  if (
    requestMethod === "HEAD" || status < 200 || status === 204 ||
    status === 304
  ) {
    out.body = "none";
    return;
  }
  // Item 2: a successful CONNECT turns the connection into a tunnel.
  if (requestMethod === "CONNECT" && status < 300) {
    out.body = "none";
    out.keepAlive = false;
    return;
  }
  if (transferEncoding !== undefined) {
    if (http10) {
      throw new ProtocolError(
        "BAD_TRANSFER_ENCODING",
        "HTTP/1.0 response uses a transfer coding",
      );
    }
    const codings = transferEncoding.split(",");
    const last = trimOws(codings[codings.length - 1]!).toLowerCase();
    if (last === "chunked") {
      out.body = "chunked";
      // Item 3: both fields at once smells of smuggling; do not reuse.
      if (contentLength !== undefined) out.keepAlive = false;
    } else {
      // Item 4: only the server closing the connection ends this body.
      out.body = "close";
      out.keepAlive = false;
    }
    return;
  }
  if (contentLength !== undefined) {
    const length = parseLength(contentLength);
    if (length < 0) {
      throw new ProtocolError(
        "BAD_CONTENT_LENGTH",
        "Response has an invalid Content-Length",
      );
    }
    out.body = "length";
    out.length = length;
    return;
  }
  // Item 8: no length at all means the body runs to the end of the connection.
  out.body = "close";
  out.keepAlive = false;
}

/**
 * True when the comma-separated `value` lists `token` (lower-case), in any
 * case: `hasToken` without its allocations, as this runs per response.
 */
function listsToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const end = value.length;
  let i = 0;
  while (i < end) {
    let a = i;
    let comma = value.indexOf(",", i);
    if (comma < 0) comma = end;
    let b = comma;
    while (a < b && isOws(value.charCodeAt(a))) a++;
    while (b > a && isOws(value.charCodeAt(b - 1))) b--;
    if (b - a === token.length) {
      let same = true;
      for (let k = 0; k < token.length && same; k++) {
        const c = value.charCodeAt(a + k);
        same = (c >= 65 && c <= 90 ? c + 32 : c) === token.charCodeAt(k);
      }
      if (same) return true;
    }
    i = comma + 1;
  }
  return false;
}

function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/** A Content-Length value, repeated equal values accepted; -1 if invalid. */
function parseLength(value: string): number {
  let result = -1;
  let start = 0;
  for (;;) {
    const comma = value.indexOf(",", start);
    const part = trimOws(
      comma < 0 ? value.slice(start) : value.slice(start, comma),
    );
    if (part.length === 0 || part.length > 15) return -1;
    let n = 0;
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return -1;
      n = n * 10 + c;
    }
    if (result >= 0 && result !== n) return -1;
    result = n;
    if (comma < 0) return result;
    start = comma + 1;
  }
}
