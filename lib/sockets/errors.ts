/**
 * Errors of the socket modes. A usage mistake is a `UsageError` (shared
 * with spidey's own command line); everything that goes wrong once the
 * command line is good is a {@linkcode SocketModeError} with a stable code.
 *
 * @module
 */

/** Stable identifiers of the ways a socket mode can fail. */
export type SocketModeErrorCode =
  | "LISTEN_FAILED"
  | "CONNECT_FAILED"
  | "CONNECTION_LOST"
  | "SEND_FAILED"
  | "LINE_TOO_LONG";

/**
 * A socket mode could not do its job (a port in use, a refused
 * connection). Reported as one line with exit status 1.
 */
export class SocketModeError extends Error {
  /** A stable identifier for the kind of failure. */
  readonly code: SocketModeErrorCode;

  /** Creates an error with a sentence-case `message`. */
  constructor(code: SocketModeErrorCode, message: string) {
    super(message);
    this.name = "SocketModeError";
    this.code = code;
  }
}

/** A line grew past its limit before its line feed arrived. */
export class LineTooLongError extends SocketModeError {
  /** The limit that was exceeded, in bytes. */
  readonly limit: number;

  /** Creates the error for a line longer than `limit` bytes. */
  constructor(limit: number) {
    super("LINE_TOO_LONG", `Line is longer than ${limit} bytes`);
    this.name = "LineTooLongError";
    this.limit = limit;
  }
}

/**
 * A short description of an operating-system error for a log line or an
 * error message: Deno's message without its `(os error N)` tail.
 */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\(os error \d+\)$/, "");
}

/**
 * Why a read or write on a connection failed, for a disconnect log line: a
 * socket this side closed (shutdown, a cut-off client) reads as such rather
 * than as Deno's "operation canceled".
 */
export function describeConnectionError(err: unknown): string {
  if (
    err instanceof Deno.errors.Interrupted ||
    err instanceof Deno.errors.BadResource
  ) {
    return "closed by the server";
  }
  return describeError(err);
}

/**
 * The error a client reports when its session with `where` breaks: a stdin
 * line over its limit (`line` names it in the message, "A line" or "The
 * line"), or else the connection itself.
 */
export function clientSessionError(
  err: unknown,
  where: string,
  line: string,
): SocketModeError {
  if (err instanceof LineTooLongError) {
    return new SocketModeError(
      "LINE_TOO_LONG",
      `${line} on stdin is longer than ${err.limit} bytes`,
    );
  }
  return new SocketModeError(
    "CONNECTION_LOST",
    `Connection to ${where} failed: ${describeError(err)}`,
  );
}
