/**
 * Command-line pieces shared by the socket modes: `parseArgs` with one-line
 * errors, `HOST:PORT`, the servers' common flags, durations and rates.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import {
  cleanParseArgsMessage,
  parseIntegerFlag,
  UsageError,
} from "../server/cli.ts";

export { parseIntegerFlag, UsageError };

/** The port every spidey socket mode listens on unless `-p` says otherwise. */
export const DEFAULT_SERVER_PORT = 9234;

/**
 * Parses the arguments that follow a mode's flag (`strict`, positionals
 * allowed so a client can take its `HOST:PORT`).
 *
 * @throws {UsageError} for unknown flags and missing values.
 */
export function parseModeArgs<T extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: T,
) {
  try {
    return parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError(cleanParseArgsMessage(err));
  }
}

/** Where a client connects or sends to. */
export interface Endpoint {
  /** Host name or address, IPv6 without brackets. */
  hostname: string;
  /** Port, 1–65535. */
  port: number;
}

/**
 * Reads `HOST:PORT` (`[::1]:9234` for IPv6) given to `flag`.
 *
 * @throws {UsageError} when it is missing or malformed.
 */
export function parseEndpoint(
  flag: string,
  positionals: readonly string[],
): Endpoint {
  if (positionals.length === 0) {
    throw new UsageError(`${flag} needs HOST:PORT`);
  }
  if (positionals.length > 1) {
    throw new UsageError(`Unexpected argument "${positionals[1]}"`);
  }
  const text = positionals[0] ?? "";
  const match = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d+)$/.exec(text);
  if (match === null) {
    throw new UsageError(`${flag} needs HOST:PORT, got "${text}"`);
  }
  const hostname = match[1] ?? match[2] ?? "";
  const port = parseIntegerFlag("Port", match[3] ?? "", 1, 65535);
  return { hostname, port };
}

/** The flags every spidey server mode takes: `-p`, `-b`, `-v` and `-h`. */
export const SERVER_MODE_FLAGS = {
  port: { type: "string", short: "p" },
  bind: { type: "string", short: "b" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

/** The settings every spidey server mode has, from its common flags. */
export interface ServerModeOptions {
  /** Address to bind. */
  hostname: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** Debug logging. */
  verbose: boolean;
}

/**
 * A server mode's common settings from the values of
 * {@linkcode SERVER_MODE_FLAGS}.
 *
 * @throws {UsageError} for a bad port or an empty bind address.
 */
export function parseServerModeFlags(
  values: { bind?: string; port?: string; verbose?: boolean },
): ServerModeOptions {
  return {
    ...parseBindFlags(values.bind, values.port),
    verbose: Boolean(values.verbose),
  };
}

/** A server's bind address and port from its `-b` and `-p` values. */
export function parseBindFlags(
  bind: string | undefined,
  port: string | undefined,
): { hostname: string; port: number } {
  let hostname = "0.0.0.0";
  if (bind !== undefined) {
    hostname = bind.replace(/^\[(.*)\]$/, "$1");
    if (hostname === "") throw new UsageError("Bind address is empty");
  }
  return {
    hostname,
    port: port === undefined
      ? DEFAULT_SERVER_PORT
      : parseIntegerFlag("Port", port, 0, 65535),
  };
}

/**
 * Parses a number of seconds (may be fractional) into milliseconds.
 *
 * @throws {UsageError} when it is not a number in range.
 */
export function parseSecondsFlag(
  name: string,
  value: string,
  options: { allowZero?: boolean; maxSeconds?: number } = {},
): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  const max = options.maxSeconds ?? 86_400;
  if (
    !Number.isFinite(seconds) || seconds > max ||
    (seconds === 0 && !options.allowZero)
  ) {
    const least = options.allowZero ? "0" : "more than 0";
    throw new UsageError(
      `${name} must be ${least} to ${max} seconds, got "${value}"`,
    );
  }
  return seconds * 1000;
}

/**
 * Parses a non-negative number (e.g. milliseconds of delay) up to `max`.
 *
 * @throws {UsageError} when it is not a number in range.
 */
export function parseNumberFlag(
  name: string,
  value: string,
  max: number,
): number {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n > max) {
    throw new UsageError(`${name} must be a number from 0 to ${max}`);
  }
  return n;
}

/**
 * Parses a probability such as a loss rate, `0` to `1`.
 *
 * @throws {UsageError} when it is outside `[0, 1]`.
 */
export function parseRateFlag(name: string, value: string): number {
  const rate = /^(0|1|0?\.\d+|[01]\.\d+)$/.test(value) ? Number(value) : NaN;
  if (!(rate >= 0 && rate <= 1)) {
    throw new UsageError(`${name} must be between 0 and 1, got "${value}"`);
  }
  return rate;
}

/**
 * Rejects positionals for a mode that takes none.
 *
 * @throws {UsageError} naming the first stray argument.
 */
export function expectNoPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}"`);
  }
}

/** Default of `--max-line`: longest line a line-based server accepts. */
export const DEFAULT_MAX_LINE_BYTES = 8192;

/** The `--max-line BYTES` flag of the line-based servers. */
export const MAX_LINE_FLAG = { "max-line": { type: "string" } } as const;

/**
 * Reads `--max-line` (1 byte to 1 MiB); its default when absent.
 *
 * @throws {UsageError} for a value out of range or not a whole number.
 */
export function parseMaxLineFlag(value: string | undefined): number {
  return value === undefined
    ? DEFAULT_MAX_LINE_BYTES
    : parseIntegerFlag("Max line", value, 1, 1 << 20);
}
