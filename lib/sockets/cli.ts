/**
 * Entry to the netcat-style socket modes of both programs. (Placeholder:
 * being replaced by the real modes.)
 *
 * @module
 */

/** The flags that select a socket mode of spidey. */
export const SPIDEY_SOCKET_FLAGS: readonly string[] = [
  "--udp-ping-server",
  "--heartbeat-server",
  "--echo-server",
  "--chat-server",
];

/** The flags that select a socket mode of thor. */
export const THOR_SOCKET_FLAGS: readonly string[] = [
  "--udp-ping",
  "--heartbeat",
  "--line",
  "--chat",
];

/**
 * Runs a socket mode of `program` when `args[0]` selects one; resolves to
 * the exit status, or `null` when `args` are not a socket mode.
 */
export function runSocketMode(
  program: "thor" | "spidey",
  args: readonly string[],
): Promise<number> | null {
  const flags = program === "thor" ? THOR_SOCKET_FLAGS : SPIDEY_SOCKET_FLAGS;
  if (args[0] === undefined || !flags.includes(args[0])) return null;
  console.error(`${program}: ${args[0]} is not implemented yet`);
  return Promise.resolve(2);
}
