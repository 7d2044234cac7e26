/**
 * HTTP-date formatting (RFC 9110 section 5.6.7) with a per-second cache for
 * the `Date` header of every response. Parsing is `./strict_date.ts`.
 *
 * @module
 */

let cachedValue = "";
// True until the second of cachedValue ends, when a timer clears it: a
// response then costs one check, not a clock read.
let fresh = false;

// An IMF-fixdate has a four-digit year: 9999-12-31T23:59:59Z is the last.
const LAST_HTTP_DATE_MS = 253_402_300_799_000;

/**
 * Formats `ms` since the epoch as an IMF-fixdate, clamped to the years an
 * HTTP-date can express (a file with an absurd mtime must not produce
 * `Invalid Date` or a crash).
 */
export function formatHttpDate(ms: number): string {
  const clamped = Number.isNaN(ms)
    ? 0
    : Math.min(Math.max(ms, 0), LAST_HTTP_DATE_MS);
  return new Date(clamped).toUTCString();
}

/**
 * The current time as an IMF-fixdate, recomputed at most once a second:
 * the first call after a second ends reads the clock, and a timer that
 * does not keep the process alive marks the end of that second.
 */
export function currentHttpDate(): string {
  if (fresh) return cachedValue;
  const now = Date.now();
  cachedValue = formatHttpDate(now);
  fresh = true;
  Deno.unrefTimer(setTimeout(() => fresh = false, 1000 - now % 1000));
  return cachedValue;
}
