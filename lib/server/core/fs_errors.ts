/**
 * Filesystem errors as the client sees them: a path that is missing, is
 * the wrong kind of entry, or may not be read is the client's 404 or 403,
 * not a server error; anything else (no file descriptors left, an I/O
 * error) is a real failure. Covers both `Deno.errors` classes and the
 * `code`s of `node:fs` errors.
 *
 * @module
 */

/** What kind of entry the handler expected at the path. */
export type ExpectedEntry = "file" | "directory";

/** The `code` of a `node:fs` error (`"ENOENT"`…), or undefined. */
export function errorCodeOf(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err &&
      typeof err.code === "string"
    ? err.code
    : undefined;
}

const NOT_FOUND_CODES = new Set(["ENOENT", "ENOTDIR", "ELOOP", "ENAMETOOLONG"]);
const FORBIDDEN_CODES = new Set(["EACCES", "EPERM", "ENXIO", "ENODEV"]);

/**
 * How the client sees `err`, thrown while opening or reading a path of the
 * document root: "not-found" when the path (or a directory on it) is
 * missing, is a file where a directory should be, or loops; "forbidden"
 * when access is denied or the entry is a socket or device that cannot be
 * opened; null for a real failure, to be rethrown.
 */
export function failureOf(err: unknown): "not-found" | "forbidden" | null {
  if (
    err instanceof Deno.errors.NotFound ||
    err instanceof Deno.errors.NotADirectory ||
    err instanceof Deno.errors.FilesystemLoop
  ) return "not-found";
  if (
    err instanceof Deno.errors.PermissionDenied ||
    err instanceof Deno.errors.NotCapable
  ) return "forbidden";
  const code = errorCodeOf(err);
  if (code === undefined) return null;
  if (NOT_FOUND_CODES.has(code)) return "not-found";
  if (FORBIDDEN_CODES.has(code)) return "forbidden";
  return null;
}

/**
 * The status for `err` thrown while reading a path resolved earlier in the
 * request: 403 when access is denied, 404 when the path is gone or is no
 * longer the `expected` kind of entry, and null for any other error (a real
 * failure, to be rethrown).
 */
export function statusOfVanishedPath(
  err: unknown,
  expected: ExpectedEntry,
): 403 | 404 | null {
  if (err instanceof Deno.errors.PermissionDenied) return 403;
  if (err instanceof Deno.errors.NotFound) return 404;
  const code = errorCodeOf(err);
  if (code === "EACCES" || code === "EPERM") return 403;
  if (code === "ENOENT") return 404;
  const wrongKind = expected === "directory"
    ? Deno.errors.NotADirectory
    : Deno.errors.IsADirectory;
  if (err instanceof wrongKind) return 404;
  return code === (expected === "directory" ? "ENOTDIR" : "EISDIR")
    ? 404
    : null;
}
