/**
 * Errors of the socket modes. A usage mistake is a `UsageError` and a port
 * that cannot be bound a `ListenError` (both shared with the programs, in
 * `lib/common`); everything else that goes wrong once the command line is
 * good is a {@linkcode SocketModeError} with a stable code.
 *
 * @module
 */

import { LineTooLongError } from "../common/line_reader.ts";
import { describeError } from "../common/net.ts";

/** Stable identifiers of the ways a socket mode can fail. */
export type SocketModeErrorCode =
  | "CONNECT_FAILED"
  | "CONNECTION_LOST"
  | "SEND_FAILED"
  | "LINE_TOO_LONG";

/**
 * A socket mode could not do its job (a refused or lost connection, a
 * stdin line too long). Reported as one line with exit status 1. A peer's
 * line too long is the shared `LineTooLongError`, which servers answer.
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
