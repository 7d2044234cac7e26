/**
 * The request a handler sees: the parsed head, the decoded target, the
 * peer's address and the body, which the handler reads as it needs it.
 *
 * @module
 */

import type { HeaderMap } from "../../http/header_fields.ts";
import type { RequestBody } from "./request_body.ts";

/** One parsed HTTP request. */
export interface HttpRequest {
  /** The method as sent. */
  method: string;
  /** The request-target as sent. */
  target: string;
  /** `HTTP/1.0` or `HTTP/1.1`. */
  version: "HTTP/1.0" | "HTTP/1.1";
  /** Header fields keyed by lower-cased name. */
  headers: HeaderMap;
  /** The path percent-decoded once. */
  path: string;
  /** The path as sent. */
  rawPath: string;
  /** The query string without `?`, still encoded. */
  query: string;
  /** The host the client addressed (absolute-form authority or `Host`). */
  host: string;
  /** The client's address. */
  remoteAddr: string;
  /** The client's port. */
  remotePort: number;
  /** The port the server accepted on. */
  localPort: number;
  /**
   * The request body, still on the connection: read it, or leave it and
   * the connection discards a small rest or closes.
   */
  body: RequestBody;
  /**
   * Tells the connection the request is still being worked on, which
   * pushes back its send deadline: for a handler whose long wait just
   * ended (a CGI script that waited its turn).
   */
  progress: () => void;
  /** `ip:port` of the client, the prefix of its debug lines. */
  peer: string;
  /**
   * A signal that aborts when the client leaves (end of stream or reset
   * seen by one read in the background), for a handler about to wait,
   * such as a CGI request queued for a slot. Only once the body has been
   * read whole; else, and where absent, the signal never aborts.
   */
  clientGone?: () => AbortSignal;
  /** The user authenticated by HTTP Basic, once the access check passed. */
  remoteUser?: string;
}
