/**
 * Command-line reading shared by every program and mode: the usage error,
 * `node:util`'s `parseArgs` with one-sentence errors, and the parsers of
 * whole-number and decimal flags.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** A command-line mistake; reported as one line with exit status 2. */
export class UsageError extends Error {
  /** Creates a usage error with a sentence-case message. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Options of {@linkcode parseFlags}. */
export interface ParseFlagsOptions<P extends boolean> {
  /** Accept arguments that are not flags (default false). */
  allowPositionals?: P;
}

/**
 * `parseArgs` in strict mode over `args`.
 *
 * @throws {UsageError} for unknown flags, missing values or (unless
 * allowed) positionals, as one sentence without `node:util`'s advice.
 */
export function parseFlags<
  T extends ParseArgsOptionsConfig,
  P extends boolean = false,
>(
  args: readonly string[],
  options: T,
  { allowPositionals }: ParseFlagsOptions<P> = {},
) {
  try {
    return parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: (allowPositionals ?? false) as P,
    });
  } catch (err) {
    throw new UsageError(oneSentence(err));
  }
}

/**
 * The first line of a `parseArgs` error without its advice about
 * positionals or its final period (callers add their own ending).
 */
function oneSentence(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const first = text.split("\n")[0] ?? text;
  return first.replace(/\. To specify a positional argument.*$/, "")
    .replace(/\.$/, "");
}

/**
 * Parses a decimal whole-number flag within `min`–`max`.
 *
 * @throws {UsageError} `NAME must be a whole number, got "VALUE"` or
 * `NAME must be between MIN and MAX`.
 */
export function parseIntegerFlag(
  name: string,
  value: string,
  min: number,
  max: number,
): number {
  if (!/^\d+$/.test(value)) {
    throw new UsageError(`${name} must be a whole number, got "${value}"`);
  }
  const n = Number(value);
  if (n < min || n > max) {
    throw new UsageError(`${name} must be between ${min} and ${max}`);
  }
  return n;
}

/**
 * Reads a bind address (`-b ADDR`); an IPv6 address may be bracketed, as
 * in `[::]`.
 *
 * @throws {UsageError} `Bind address is empty`.
 */
export function parseBindFlag(value: string): string {
  const hostname = value.replace(/^\[(.*)\]$/, "$1");
  if (hostname === "") throw new UsageError("Bind address is empty");
  return hostname;
}

/**
 * How a refused decimal flag is explained. Each is the sentence one family
 * of flags has always printed (with `unit` "seconds" where shown):
 *
 * - `"range"`: `Timeout must be more than 0 to 3600 seconds, got "x"`
 * - `"number range"`: `Delay must be a number from 0 to 60000`
 * - `"positive"`: `CGI timeout must be a positive number of seconds`
 * - `"positive, got"`: `Rate must be a positive number, got "x"`, and
 *   `Rate must be at most 100` past `max`
 */
export type DecimalFlagWording =
  | "range"
  | "number range"
  | "positive"
  | "positive, got";

/** Options of {@linkcode parseDecimalFlag}. */
export interface DecimalFlagOptions {
  /** Largest value accepted (default: no limit). */
  max?: number;
  /** Accept 0 (default false: the value must be more than 0). */
  allowZero?: boolean;
  /** What the number counts, named in the message (e.g. `seconds`). */
  unit?: string;
  /** Which sentence explains a refusal (default `"range"`). */
  wording?: DecimalFlagWording;
}

/**
 * Parses a decimal flag such as `2`, `0.25` or `10.5` (no sign, exponent
 * or leading dot).
 *
 * @throws {UsageError} when it is not such a number or out of range, in
 * the sentence `options.wording` picks.
 */
export function parseDecimalFlag(
  name: string,
  value: string,
  options: DecimalFlagOptions = {},
): number {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  const max = options.max ?? Infinity;
  const allowZero = options.allowZero ?? false;
  if (!Number.isFinite(n) || (n === 0 && !allowZero)) {
    throw new UsageError(decimalRefusal(name, value, false, options));
  }
  if (n > max) throw new UsageError(decimalRefusal(name, value, true, options));
  return n;
}

/**
 * Parses a seconds flag with {@linkcode parseDecimalFlag} (its unit is
 * `seconds`) and gives milliseconds.
 *
 * @throws {UsageError} as {@linkcode parseDecimalFlag} does.
 */
export function parseSecondsFlag(
  name: string,
  value: string,
  options: Omit<DecimalFlagOptions, "unit"> = {},
): number {
  return parseDecimalFlag(name, value, { ...options, unit: "seconds" }) * 1000;
}

function decimalRefusal(
  name: string,
  value: string,
  tooLarge: boolean,
  options: DecimalFlagOptions,
): string {
  const max = options.max ?? Infinity;
  const unit = options.unit === undefined ? "" : ` ${options.unit}`;
  const sign = options.allowZero ? "non-negative" : "positive";
  switch (options.wording ?? "range") {
    case "range": {
      const least = options.allowZero ? "0" : "more than 0";
      return `${name} must be ${least} to ${max}${unit}, got "${value}"`;
    }
    case "number range": {
      const from = options.allowZero ? "from 0" : "over 0 and up";
      return `${name} must be a number ${from} to ${max}${unit}`;
    }
    case "positive":
    case "positive, got": {
      if (tooLarge) return `${name} must be at most ${max}${unit}`;
      const of = unit === "" ? "" : ` of${unit}`;
      const got = options.wording === "positive, got" ? `, got "${value}"` : "";
      return `${name} must be a ${sign} number${of}${got}`;
    }
  }
}
