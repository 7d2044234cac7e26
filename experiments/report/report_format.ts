/**
 * Formatting for the generated report: numbers with as many digits as
 * they deserve, ratios as `3.4×`, durations, and Markdown tables. Every
 * figure in the report passes through here, always computed from the
 * CSV, never typed in.
 *
 * @module
 */

import type { Stat } from "../data/aggregate.ts";

/** A measured number: `12,345`, `123`, `12.3`, `1.23`, `0.0123`. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  const abs = Math.abs(value);
  if (Number.isInteger(value) || abs >= 100) {
    return Math.round(value).toLocaleString("en-US");
  }
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs === 0) return "0";
  return Number(value.toPrecision(3)).toString();
}

/** A mean with its range across repetitions: `12.3 (11.9–12.8)`. */
export function fmtStat(s: Stat): string {
  if (s.n <= 1) return fmt(s.mean);
  return `${fmt(s.mean)} (${fmt(s.min)}–${fmt(s.max)})`;
}

/** A ratio: `3.4×`, `0.41×`, `12×`. */
export function fmtRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return "n/a";
  if (ratio >= 10) return `${Math.round(ratio)}×`;
  return `${Number(ratio.toPrecision(2))}×`;
}

/** A share: `37%`. */
export function fmtPercent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** Seconds as `14 min 05 s`, `42 s`. */
export function fmtSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(s % 60).padStart(2, "0")} s`;
}

const NUMERIC_CELL = /^[-–0-9]/;

/**
 * A Markdown table; `|` in cells is escaped. Columns whose cells all
 * start with a digit (or a dash for "none") are right-aligned.
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const cell = (text: string) => text.replaceAll("|", "\\|");
  const line = (cells: readonly string[]) =>
    `| ${cells.map(cell).join(" | ")} |`;
  const numeric = header.map((_, i) =>
    rows.length > 0 && rows.every((r) => NUMERIC_CELL.test(r[i] ?? ""))
  );
  const rule = `|${numeric.map((n) => (n ? " ---: " : " --- ")).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/**
 * How `a` compares with `b` where bigger is better: `2.1× more`,
 * `only 0.48× as much`, or `about the same, 1×` within ±`tolerance`.
 */
export function compareHigher(a: number, b: number, tolerance = 0.1): string {
  const ratio = a / b;
  if (!Number.isFinite(ratio)) return "n/a";
  if (Math.abs(ratio - 1) <= tolerance) {
    return `about the same, ${fmtRatio(ratio)}`;
  }
  return ratio > 1
    ? `${fmtRatio(ratio)} as much`
    : `only ${fmtRatio(ratio)} as much`;
}

/** `faster`/`slower` phrasing for latencies (smaller is better). */
export function compareLatency(a: number, b: number, tolerance = 0.1): string {
  const ratio = a / b;
  if (!Number.isFinite(ratio)) return "n/a";
  if (Math.abs(ratio - 1) <= tolerance) {
    return `about as fast at ${fmtRatio(ratio)} the time`;
  }
  return ratio > 1
    ? `${fmtRatio(ratio)} slower`
    : `${fmtRatio(1 / ratio)} faster`;
}

/** Words for a list: `a`, `a and b`, `a, b and c` (or `or`). */
export function listWords(
  items: readonly string[],
  conjunction = "and",
): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${conjunction} ${items.at(-1)}`;
}

/** The text with its first letter in upper case. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The median of `values` (0 for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** True when the runs' ranges of two measures share any value. */
export function rangesOverlap(a: Stat, b: Stat): boolean {
  return a.min <= b.max && b.min <= a.max;
}

/**
 * How `a` compares with `b` across their runs: `no measurable difference`
 * when the ranges overlap, else the ratio of the means in words
 * (`2.1× slower`, `1.4× as much`), so no claim outruns the repetitions.
 */
export function compareRuns(
  a: Stat,
  b: Stat,
  smallerIsBetter: boolean,
): string {
  if (rangesOverlap(a, b)) return "no measurable difference";
  return smallerIsBetter
    ? compareLatency(a.mean, b.mean, 0)
    : compareHigher(a.mean, b.mean, 0);
}
