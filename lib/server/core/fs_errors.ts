/**
 * Filesystem errors on a path the request already resolved: between the
 * dispatcher's `stat` and the handler's own work the path can be removed,
 * replaced by the other kind of entry, or made unreadable. Those are the
 * client's 404 or 403, not a server error.
 *
 * @module
 */

/** What kind of entry the handler expected at the path. */
export type ExpectedEntry = "file" | "directory";

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
  const wrongKind = expected === "directory"
    ? Deno.errors.NotADirectory
    : Deno.errors.IsADirectory;
  return err instanceof wrongKind ? 404 : null;
}
