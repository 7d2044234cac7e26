/**
 * Errors raised while reading or parsing HTTP messages.
 *
 * @module
 */

/**
 * A request that the server must answer with an error status.
 *
 * `code` is a stable machine-readable identifier (e.g. `"HEAD_TOO_LARGE"`),
 * `status` the HTTP status to answer with.
 */
export class HttpError extends Error {
  /** The HTTP status code to answer with. */
  readonly status: number;
  /** A stable identifier for the kind of failure. */
  readonly code: string;
  /** Extra response headers that belong with this error (e.g. `Allow`). */
  readonly headers: ReadonlyArray<readonly [string, string]>;

  /** Creates an error answered with `status`; `message` is sentence-case. */
  constructor(
    status: number,
    code: string,
    message: string,
    headers: ReadonlyArray<readonly [string, string]> = [],
  ) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/**
 * The peer broke the framing of a message: a body shorter than announced,
 * a bad chunk, or bytes that are not HTTP at all.
 */
export class ProtocolError extends Error {
  /** A stable identifier for the kind of failure. */
  readonly code: string;

  /** Creates a protocol error with a stable `code`. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
  }
}
