/**
 * Byte counts for people: binary units (KiB, MiB, …) with at most three
 * significant digits, and the exact count with digit grouping for tooltips.
 *
 * @module
 */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"] as const;

/**
 * Formats `bytes` with a binary unit: `512 B`, `1.2 KiB`, `12.3 MiB`,
 * `123 GiB`. One decimal below 100 (dropped when it is `.0`), none above.
 * Negative or non-finite input is shown as `0 B` rather than throwing,
 * since it can only come from a broken `stat`.
 */
export function formatHumanSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "0 B";
  if (bytes < 1024) return `${Math.floor(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  let text = value < 100
    ? (Math.round(value * 10) / 10).toString()
    : Math.round(value).toString();
  // Rounding can reach the next unit (1023.96 KiB → "1024"): show 1 MiB.
  if (Number(text) >= 1024 && unit < UNITS.length - 1) {
    unit++;
    text = "1";
  }
  return `${text} ${UNITS[unit]}`;
}

/** Formats an exact byte count with comma grouping: `1,234,567 bytes`. */
export function formatExactSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "0 bytes";
  const digits = Math.floor(bytes).toString();
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return `${out} ${bytes === 1 ? "byte" : "bytes"}`;
}
