/**
 * File times as numbers: `stat` can report times a `Date` cannot hold,
 * and formatting those later would throw (darkhttpd's CVE-2020-25691 was
 * a crash from one such time), so every use goes through this check.
 *
 * @module
 */

/** `date` in ms since the epoch when it is a finite time, else null. */
export function finiteTimeMs(date: Date | null | undefined): number | null {
  const ms = date?.getTime();
  return ms !== undefined && Number.isFinite(ms) ? ms : null;
}
