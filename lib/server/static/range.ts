/**
 * Single byte ranges (RFC 9110 section 14): parsing a `Range` header
 * against a representation of known length, and the `Content-Range` values
 * that go with the answer.
 *
 * Only one range per request is served. Like nginx's default and most
 * static servers, anything else (several ranges, another unit, bad syntax)
 * makes the header ignored, which RFC 9110 section 14.2 allows: the client
 * then gets the whole representation with 200.
 *
 * @module
 */

/** What a `Range` header asks of a representation. */
export type RangeRequest =
  /** Send the whole representation (200): no usable single range. */
  | { kind: "whole" }
  /** Send bytes `start` to `end`, both inclusive (206). */
  | { kind: "partial"; start: number; end: number }
  /** No byte of the representation was asked for (416). */
  | { kind: "unsatisfiable" };

const WHOLE: RangeRequest = Object.freeze({ kind: "whole" });
const UNSATISFIABLE: RangeRequest = Object.freeze({ kind: "unsatisfiable" });

function isOws(code: number): boolean {
  return code === 32 || code === 9;
}

/** Parses `1*DIGIT` (the whole string); -1 when it is not one. */
function parseDigits(s: string): number {
  if (s.length === 0) return -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  // Past 2^53 precision is lost, but such a position lies beyond any file,
  // so the outcome (unsatisfiable, or clamped to the end) is unchanged.
  return Number(s);
}

/**
 * Interprets a `Range` header value for a representation of `size` bytes.
 *
 * - `bytes=a-b` and `bytes=a-` select from `a`, with the end clamped to
 *   the last byte; `a` at or past the end is unsatisfiable.
 * - `bytes=-n` selects the last `n` bytes (all of them when `n` exceeds
 *   the size); `-0` selects nothing and is unsatisfiable.
 * - An empty representation can satisfy only a suffix range, and that one
 *   selects zero bytes, which a 206 cannot express (`Content-Range` has no
 *   form for an empty span): it is answered whole, an empty 200, as RFC
 *   9110 section 14.2 permits.
 * - Anything malformed, more than one range, or a unit other than `bytes`
 *   (compared case-insensitively) is ignored: whole.
 */
export function parseRange(value: string, size: number): RangeRequest {
  const eq = value.indexOf("=");
  if (eq < 0) return WHOLE;
  let a = 0;
  while (a < eq && isOws(value.charCodeAt(a))) a++;
  if (value.slice(a, eq).toLowerCase() !== "bytes") return WHOLE;

  // range-set is a list (RFC 9110 section 5.6.1): empty elements and OWS
  // around commas are allowed, and count for nothing.
  let spec: string | undefined;
  for (const part of value.slice(eq + 1).split(",")) {
    let s = 0;
    let e = part.length;
    while (s < e && isOws(part.charCodeAt(s))) s++;
    while (e > s && isOws(part.charCodeAt(e - 1))) e--;
    if (s === e) continue;
    if (spec !== undefined) return WHOLE;
    spec = part.slice(s, e);
  }
  if (spec === undefined) return WHOLE;

  const dash = spec.indexOf("-");
  if (dash < 0) return WHOLE;
  const firstText = spec.slice(0, dash);
  const lastText = spec.slice(dash + 1);

  if (firstText === "") {
    const suffix = parseDigits(lastText);
    if (suffix < 0) return WHOLE;
    if (suffix === 0) return UNSATISFIABLE;
    if (size === 0) return WHOLE;
    return {
      kind: "partial",
      start: Math.max(0, size - suffix),
      end: size - 1,
    };
  }

  const first = parseDigits(firstText);
  if (first < 0) return WHOLE;
  let last = Infinity;
  if (lastText !== "") {
    last = parseDigits(lastText);
    if (last < 0 || last < first) return WHOLE;
  }
  if (first >= size) return UNSATISFIABLE;
  return { kind: "partial", start: first, end: Math.min(last, size - 1) };
}

/** The `Content-Range` value of a 206: `bytes start-end/size`. */
export function contentRangeOf(
  start: number,
  end: number,
  size: number,
): string {
  return `bytes ${start}-${end}/${size}`;
}

/**
 * The `Content-Range` value of a 416: `bytes`, an asterisk in place of the
 * range, then a slash and the size.
 */
export function unsatisfiedRangeOf(size: number): string {
  return `bytes */${size}`;
}
