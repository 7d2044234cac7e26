/**
 * Validators (RFC 9110 section 8.8): making the entity tags and
 * `Last-Modified` dates of every kind of representation. Files and
 * thumbnails are tagged by the identity of a file version, listings by a
 * hash of their bytes; `./conditional.ts` evaluates requests against them.
 *
 * @module
 */

/** What a representation is validated by. */
export interface Validators {
  /**
   * The entity tag as sent: `"opaque"`, or `W/"opaque"` when it is weak
   * (then `lastModifiedMs` is weak too, and neither can confirm a range or
   * a date condition).
   */
  etag: string;
  /** `Last-Modified` in ms since the epoch (whole seconds), or null. */
  lastModifiedMs: number | null;
}

/** What an entity tag of a file is derived from. */
export interface FileIdentity {
  /** Size in bytes. */
  size: number;
  /** Modification time in ms since the epoch. */
  mtimeMs: number;
  /** Inode number (0 where the platform has none). */
  ino: number;
}

/**
 * The entity tag of a file: size, modification time (ms) and inode in
 * hex, so a rewrite, a touch or a replacement by rename all change it.
 * `weak` marks a tag that cannot promise byte equality, as for a file
 * modified so recently that another write could still share its mtime.
 * `variant` (letters and digits) names a representation derived from the
 * file, such as its thumbnail, and keeps its tags apart from the file's.
 */
export function makeEntityTag(
  id: FileIdentity,
  weak: boolean,
  variant?: string,
): string {
  const opaque = `"${variant === undefined ? "" : `${variant}-`}${
    id.ino.toString(16)
  }-${id.size.toString(16)}-${id.mtimeMs.toString(16)}"`;
  return weak ? `W/${opaque}` : opaque;
}

/**
 * A strong entity tag of `body` itself: its length and two 32-bit FNV-1a
 * lanes. For representations rendered in memory (listings), where equal
 * bytes must get equal tags across workers and restarts, so revalidation
 * survives both. Costs one pass over the body: compute it once per body.
 */
export function contentEntityTag(body: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return `"${body.length.toString(16)}-${(a >>> 0).toString(16)}${
    (b >>> 0).toString(16).padStart(8, "0")
  }"`;
}

/**
 * The entity tag of a variant of the representation tagged `etag`, such
 * as its gzip coding: `suffix` (letters and digits) joined inside the
 * quotes (`"abc"` → `"abc-gz"`), keeping weakness, so each variant is
 * validated against its own tag.
 */
export function variantEntityTag(etag: string, suffix: string): string {
  return `${etag.slice(0, -1)}-${suffix}"`;
}

/** True for a weak entity tag (`W/"…"`). */
export function isWeakTag(etag: string): boolean {
  return etag.charCodeAt(0) === 87 /* W */;
}

/**
 * The `Last-Modified` of a representation last changed at `changedMs`, as
 * seen at `nowMs`: whole seconds (what an HTTP-date holds), never later
 * than the `Date` it goes out with (RFC 9110 section 8.8.2.1); null when
 * the time is unknown, not finite or before the epoch.
 */
export function lastModifiedOf(
  changedMs: number | null,
  nowMs: number,
): number | null {
  if (changedMs === null || !(changedMs >= 0)) return null;
  return Math.floor(Math.min(changedMs, nowMs) / 1000) * 1000;
}
