/**
 * Which class a failed request counts under: `dns`, `connect`, `tls`,
 * `write`, `read`, `timeout` or `protocol`, from the error and the phase
 * of the exchange it ended.
 *
 * @module
 */

import { ProtocolError } from "../http/errors.ts";
import { ConnectError } from "./client_connection.ts";
import type { ErrorClass } from "./error_classes.ts";

/** The part of an exchange a request was in when it failed. */
export type ExchangePhase = "connect" | "write" | "read";

// The connection ended early: the bytes so far were valid HTTP.
const EARLY_END_CODES = new Set([
  "CONNECTION_CLOSED",
  "INCOMPLETE_HEAD",
  "INCOMPLETE_LINE",
  "UNEXPECTED_EOF",
]);

/**
 * Classifies a failed request. A request past its deadline is a timeout
 * whatever error closing its socket raised.
 */
export function classifyError(
  err: unknown,
  phase: ExchangePhase,
  timedOut: boolean,
): ErrorClass {
  if (timedOut) return "timeout";
  if (err instanceof ConnectError) return err.phase;
  if (phase === "connect") return "connect";
  if (phase === "write") return "write";
  if (err instanceof ProtocolError) {
    return EARLY_END_CODES.has(err.code) ? "read" : "protocol";
  }
  if (err instanceof Deno.errors.InvalidData) return "tls";
  return "read";
}
