/**
 * The answer of an application and its CGI form: a header block (with a
 * `Status` line, RFC 3875 section 6.3.3) and a body, written to stdout in
 * one piece.
 *
 * @module
 */

import { statusText } from "../http/status.ts";

/** A response of an application. */
export interface AppResponse {
  /** HTTP status. */
  status: number;
  /** Header fields besides `Status`, in order. */
  headers: Array<[string, string]>;
  /** The body (empty for a redirect). */
  body: string;
}

/**
 * Headers every page carries. The policy lets a page use nothing but its
 * own inline styles and post forms only to this server: if escaping ever
 * failed, an injected script or off-site form still would not run.
 */
const PAGE_HEADERS: ReadonlyArray<[string, string]> = [
  ["Content-Type", "text/html; charset=utf-8"],
  ["Cache-Control", "no-store"],
  [
    "Content-Security-Policy",
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  ],
  ["X-Content-Type-Options", "nosniff"],
  ["Referrer-Policy", "same-origin"],
];

/** An HTML page with `status`. */
export function htmlResponse(
  status: number,
  html: string,
  extra: ReadonlyArray<[string, string]> = [],
): AppResponse {
  return { status, headers: [...PAGE_HEADERS, ...extra], body: html };
}

/**
 * A 303 See Other to `location`, a local path: after a POST, the browser
 * GETs the result, so reloading it does not send the form again.
 */
export function seeOther(location: string): AppResponse {
  if (!location.startsWith("/") || /^\/[/\\]/.test(location)) {
    throw new TypeError(`Redirect target ${location} is not a local path`);
  }
  return {
    status: 303,
    headers: [["Location", location], ["Cache-Control", "no-store"]],
    body: "",
  };
}

/** The CGI output for `res`: header block, blank line, body. */
export function serializeResponse(res: AppResponse): Uint8Array {
  let head = `Status: ${res.status} ${statusText(res.status)}\r\n`;
  for (const [name, value] of res.headers) head += `${name}: ${value}\r\n`;
  return new TextEncoder().encode(`${head}\r\n${res.body}`);
}

/** Writes all of `bytes` to stdout. */
export function writeStdout(bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

/**
 * The URL of the script at `scriptName` (a decoded path) with `params`
 * as its query, each path segment percent-encoded.
 */
export function scriptUrl(
  scriptName: string,
  params: Record<string, string> = {},
): string {
  const path = scriptName.split("/").map(encodeURIComponent).join("/");
  const query = new URLSearchParams(params).toString();
  return query === "" ? path : `${path}?${query}`;
}
