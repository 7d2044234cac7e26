/**
 * Command-line pieces shared by the socket modes: `HOST:PORT`, the
 * servers' common flags, loss rates and `--max-line`. Usage errors,
 * `parseArgs` and number parsing come from `lib/common/flags.ts`.
 *
 * @module
 */

import type { ParseArgsOptionsConfig } from "node:util";
import {
  parseBindFlag,
  parseFlags,
  parseIntegerFlag,
  UsageError,
} from "../common/flags.ts";

/** The port every server mode listens on unless `-p` says otherwise. */
export const DEFAULT_SERVER_PORT = 9234;

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

/** The flags every server mode takes: `-p`, `-b`, `-v` and `-h`. */
export const SERVER_MODE_FLAGS = {
  port: { type: "string", short: "p" },
  bind: { type: "string", short: "b" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

/** The settings every server mode has, from its common flags. */
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
    hostname: values.bind === undefined
      ? "0.0.0.0"
      : parseBindFlag(values.bind),
    port: values.port === undefined
      ? DEFAULT_SERVER_PORT
      : parseIntegerFlag("Port", values.port, 0, 65535),
    verbose: Boolean(values.verbose),
  };
}

/** The flag values `parseFlags` gives for the server flags plus `T`. */
export type ServerModeValues<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseFlags<typeof SERVER_MODE_FLAGS & T, true>
>["values"];

/**
 * Reads a server mode's arguments: its common flags plus `extra`, no
 * positionals. Null means `-h`; otherwise the common settings with what
 * `own` makes of the values (the mode's own settings).
 *
 * @throws {UsageError} for unknown flags, stray arguments or bad values
 * (common ones first).
 */
export function parseServerModeArgs<
  T extends ParseArgsOptionsConfig,
  R extends object,
>(
  args: readonly string[],
  extra: T,
  own: (values: ServerModeValues<T>) => R,
): (ServerModeOptions & R) | null {
  const { values, positionals } = parseFlags(args, {
    ...SERVER_MODE_FLAGS,
    ...extra,
  }, { allowPositionals: true });
  // parseArgs cannot resolve the value types of a generic T here; the
  // common flags are known to have these.
  const known = values as {
    help?: boolean;
    bind?: string;
    port?: string;
    verbose?: boolean;
  };
  if (known.help) return null;
  expectNoPositionals(positionals);
  return { ...parseServerModeFlags(known), ...own(values) };
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
