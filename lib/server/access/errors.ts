/**
 * The base of the access settings' start-up errors (a bad password file,
 * `-H` or `--cors`), so the command line can answer them all alike.
 *
 * @module
 */

/** An access setting that cannot be used; `code` tells which kind. */
export class AccessConfigError extends Error {
  /** Stable code for callers and tests. */
  readonly code: string;
  /** Creates the error with a stable `code` and a sentence-case message. */
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = "AccessConfigError";
  }
}
