/**
 * The bytes of the one request a run sends over and over, built once:
 * head and body in a single buffer so that each request is one write.
 *
 * @module
 */

import type { HeaderList } from "../http/header_fields.ts";
import type { TargetUrl } from "./target_url.ts";

/** What goes into the request. */
export interface RequestSpec {
  /** Where it goes. */
  url: TargetUrl;
  /** The method. */
  method: string;
  /** Extra header fields; a `Host`, `User-Agent` or `Accept` replaces thor's. */
  headers: HeaderList;
  /** The body, or null for none. */
  body: Uint8Array | null;
  /** Ask the server to keep the connection open (else `Connection: close`). */
  keepAlive: boolean;
}

/** The `User-Agent` thor sends unless told otherwise. */
export const THOR_USER_AGENT = "thor/0.1";

// Methods whose requests have a meaning for a body: they get a
// Content-Length even when empty (RFC 9110 section 8.6).
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** Builds the request bytes: head, blank line, body, in one buffer. */
export function buildRequestBytes(spec: RequestSpec): Uint8Array {
  const given = new Set(spec.headers.map(([name]) => name.toLowerCase()));
  let head = `${spec.method} ${spec.url.target} HTTP/1.1\r\n`;
  if (!given.has("host")) head += `Host: ${spec.url.authority}\r\n`;
  if (!given.has("user-agent")) head += `User-Agent: ${THOR_USER_AGENT}\r\n`;
  if (!given.has("accept")) head += "Accept: */*\r\n";
  for (const [name, value] of spec.headers) {
    if (name.toLowerCase() === "connection") continue;
    head += `${name}: ${value}\r\n`;
  }
  if (!spec.keepAlive) head += "Connection: close\r\n";
  else {
    const connection = spec.headers.find(([n]) =>
      n.toLowerCase() === "connection"
    );
    if (connection !== undefined) head += `Connection: ${connection[1]}\r\n`;
  }
  const body = spec.body ?? new Uint8Array(0);
  if (body.length > 0 || BODY_METHODS.has(spec.method)) {
    head += `Content-Length: ${body.length}\r\n`;
  }
  head += "\r\n";
  const headBytes = new TextEncoder().encode(head);
  const out = new Uint8Array(headBytes.length + body.length);
  out.set(headBytes);
  out.set(body, headBytes.length);
  return out;
}
