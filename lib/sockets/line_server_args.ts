/**
 * The arguments of the TCP line servers (`--echo-server`,
 * `--chat-server`): the common server flags, `--max-line` and one on/off
 * switch of the mode's own.
 *
 * @module
 */

import {
  MAX_LINE_FLAG,
  parseMaxLineFlag,
  parseServerModeArgs,
  type ServerModeOptions,
} from "./mode_args.ts";

/**
 * Settings of a line server: the common ones, the longest line accepted
 * from a client (`maxLineBytes`, in bytes) and the switch named `K`.
 */
export type LineServerOptions<K extends string> =
  & ServerModeOptions
  & Record<K, boolean>
  & { maxLineBytes: number };

/**
 * Reads a line server's arguments: the common server flags, `--max-line`
 * and the boolean flag `--SWITCH`. Null means `-h`.
 *
 * @throws {UsageError} for bad flags or values.
 */
export function parseLineServerArgs<K extends string>(
  args: readonly string[],
  switchName: K,
): LineServerOptions<K> | null {
  const flags = {
    [switchName]: { type: "boolean" },
    ...MAX_LINE_FLAG,
  } as Record<K, { type: "boolean" }> & typeof MAX_LINE_FLAG;
  return parseServerModeArgs(args, flags, (values) => {
    const own = values as Record<string, string | boolean | undefined>;
    return {
      [switchName]: Boolean(own[switchName]),
      maxLineBytes: parseMaxLineFlag(own["max-line"] as string | undefined),
    } as Record<K, boolean> & { maxLineBytes: number };
  });
}
