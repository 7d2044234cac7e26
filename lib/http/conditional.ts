/**
 * Conditional requests (RFC 9110 section 13) for every representation
 * spidey serves (files, listings, thumbnails): comparison of entity-tag
 * lists, and the order in which `If-Match`, `If-Unmodified-Since`,
 * `If-None-Match`, `If-Modified-Since` and `If-Range` are evaluated
 * against the {@linkcode Validators} made by `./validators.ts`.
 *
 * @module
 */

import type { HeaderMap } from "./header_fields.ts";
import { parseStrictHttpDate } from "./strict_date.ts";
import { isWeakTag, type Validators } from "./validators.ts";

/** What the preconditions of a GET or HEAD decide. */
export type PreconditionOutcome =
  /** Serve the representation (a range may still apply). */
  | "proceed"
  /** Answer 304 Not Modified. */
  | "not-modified"
  /** Answer 412 Precondition Failed. */
  | "failed";

function opaqueOf(etag: string): string {
  return isWeakTag(etag) ? etag.slice(2) : etag;
}

function isOws(code: number): boolean {
  return code === 32 || code === 9;
}

/**
 * True when the `If-Match`/`If-None-Match` style list `value` (`*` or a
 * comma-separated list of entity tags) matches `etag`. The strong
 * comparison needs both tags strong; the weak one compares the opaque
 * parts only (RFC 9110 section 8.8.3.2). A malformed list matches nothing;
 * a representation without a tag (`etag` null) matches only `*`.
 */
export function entityTagListMatches(
  value: string,
  etag: string | null,
  strong: boolean,
): boolean {
  if (etag === null || (strong && isWeakTag(etag))) {
    // A weak tag never matches strongly, but `*` still does.
    return value.trim() === "*";
  }
  if (value === etag) return true;
  const want = opaqueOf(etag);
  let i = 0;
  const n = value.length;
  while (i < n && isOws(value.charCodeAt(i))) i++;
  if (value.charCodeAt(i) === 42 /* * */) {
    i++;
    while (i < n && isOws(value.charCodeAt(i))) i++;
    return i === n;
  }
  for (;;) {
    // Empty list elements are allowed (RFC 9110 section 5.6.1).
    while (
      i < n && (isOws(value.charCodeAt(i)) || value.charCodeAt(i) === 44)
    ) i++;
    if (i >= n) return false;
    let weak = false;
    if (value.startsWith("W/", i)) {
      weak = true;
      i += 2;
    }
    if (value.charCodeAt(i) !== 34 /* " */) return false;
    const close = value.indexOf('"', i + 1);
    if (close < 0) return false;
    if (
      (!strong || !weak) &&
      close + 1 - i === want.length && value.startsWith(want, i)
    ) return true;
    i = close + 1;
    while (i < n && isOws(value.charCodeAt(i))) i++;
    if (i < n && value.charCodeAt(i) !== 44 /* , */) return false;
  }
}

/** What the preconditions decide for a representation without validators. */
function wildcardOutcome(headers: HeaderMap): PreconditionOutcome {
  const ifMatch = headers.get("if-match");
  if (ifMatch !== undefined && !entityTagListMatches(ifMatch, null, true)) {
    return "failed";
  }
  const ifNoneMatch = headers.get("if-none-match");
  return ifNoneMatch !== undefined &&
      entityTagListMatches(ifNoneMatch, null, false)
    ? "not-modified"
    : "proceed";
}

/**
 * Evaluates the preconditions of a GET or HEAD in the order of RFC 9110
 * section 13.2.2. `If-Modified-Since` is ignored when `If-None-Match` is
 * present, and so is `If-Unmodified-Since` next to `If-Match`. A date
 * that is not a valid HTTP-date (strictly: see `parseStrictHttpDate`) is
 * ignored, never an error; so is an `If-Modified-Since` in the future,
 * which cannot be a date this server sent (`nowMs` is the clock, for
 * tests), and one checked against weak validators. `v` is null for a
 * representation that has no validators (one not to be reused), which
 * only the wildcard `*` matches.
 */
export function evaluatePreconditions(
  headers: HeaderMap,
  v: Validators | null,
  nowMs?: number,
): PreconditionOutcome {
  if (v === null) return wildcardOutcome(headers);
  const ifMatch = headers.get("if-match");
  if (ifMatch !== undefined) {
    if (!entityTagListMatches(ifMatch, v.etag, true)) return "failed";
  } else if (v.lastModifiedMs !== null) {
    const ius = headers.get("if-unmodified-since");
    if (ius !== undefined) {
      const date = parseStrictHttpDate(ius, nowMs);
      if (date !== null && v.lastModifiedMs > date) return "failed";
    }
  }
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== undefined) {
    return entityTagListMatches(ifNoneMatch, v.etag, false)
      ? "not-modified"
      : "proceed";
  }
  // A weak Last-Modified (file changed within the last seconds) cannot
  // vouch that nothing changed later in that same second.
  if (v.lastModifiedMs !== null && !isWeakTag(v.etag)) {
    const ims = headers.get("if-modified-since");
    if (ims !== undefined) {
      const now = nowMs ?? Date.now();
      const date = parseStrictHttpDate(ims, now);
      if (date !== null && date <= now && v.lastModifiedMs <= date) {
        return "not-modified";
      }
    }
  }
  return "proceed";
}

/**
 * True when a range request may be honoured under its `If-Range` value
 * (RFC 9110 section 13.1.5): absent, a strong entity tag equal to the
 * current one, or a date equal to a strong `Last-Modified`. Otherwise the
 * whole representation is sent.
 */
export function ifRangeHolds(
  value: string | undefined,
  v: Validators,
): boolean {
  if (value === undefined) return true;
  if (isWeakTag(v.etag)) return false;
  const text = value.trim();
  if (text.charCodeAt(0) === 34 /* " */ || text.startsWith("W/")) {
    return text === v.etag;
  }
  if (v.lastModifiedMs === null) return false;
  const date = parseStrictHttpDate(text);
  return date !== null && date === v.lastModifiedMs;
}
