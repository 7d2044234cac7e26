/**
 * Entry to the netcat-style socket modes of both programs: a leading flag
 * (`thor --udp-ping HOST:PORT`, `spidey --echo-server`, …) picks a mode;
 * anything else is left to the program's own command line.
 *
 * @module
 */

import { UsageError } from "./mode_args.ts";
import { runChatClient } from "./chat_client.ts";
import { runChatServer } from "./chat_server.ts";
import { runEchoServer } from "./echo_server.ts";
import { SocketModeError } from "./errors.ts";
import { runHeartbeatClient } from "./heartbeat_client.ts";
import { runHeartbeatServer } from "./heartbeat_server.ts";
import { runLineClient } from "./line_client.ts";
import { runUdpPingClient } from "./udp_ping_client.ts";
import { runUdpPingServer } from "./udp_ping_server.ts";

type ModeRunner = (args: readonly string[]) => Promise<number>;

const SPIDEY_MODES: ReadonlyMap<string, ModeRunner> = new Map([
  ["--udp-ping-server", runUdpPingServer],
  ["--heartbeat-server", runHeartbeatServer],
  ["--echo-server", runEchoServer],
  ["--chat-server", runChatServer],
]);

const THOR_MODES: ReadonlyMap<string, ModeRunner> = new Map([
  ["--udp-ping", runUdpPingClient],
  ["--heartbeat", runHeartbeatClient],
  ["--line", runLineClient],
  ["--chat", runChatClient],
]);

/** The flags that select a socket mode of spidey. */
export const SPIDEY_SOCKET_FLAGS: readonly string[] = [...SPIDEY_MODES.keys()];

/** The flags that select a socket mode of thor. */
export const THOR_SOCKET_FLAGS: readonly string[] = [...THOR_MODES.keys()];

/**
 * Runs a socket mode of `program` when `args[0]` selects one (`--mode` or
 * `--mode=VALUE`); resolves to the exit status, or returns `null` when
 * `args` are not a socket mode. Usage mistakes print one line and give 2;
 * socket failures (port in use, connection refused) one line and 1.
 */
export function runSocketMode(
  program: "thor" | "spidey",
  args: readonly string[],
): Promise<number> | null {
  const first = args[0];
  if (first === undefined) return null;
  const eq = first.indexOf("=");
  const flag = eq < 0 ? first : first.slice(0, eq);
  const modes = program === "thor" ? THOR_MODES : SPIDEY_MODES;
  const run = modes.get(flag);
  if (run === undefined) return null;
  const rest = eq < 0 ? args.slice(1) : [first.slice(eq + 1), ...args.slice(1)];
  return runReportingErrors(program, flag, () => run(rest));
}

async function runReportingErrors(
  program: string,
  flag: string,
  run: () => Promise<number>,
): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UsageError) {
      const message = err.message.replace(/\.$/, "");
      console.error(
        `${program}: ${message}. Try '${program} ${flag} -h' for help.`,
      );
      return 2;
    }
    if (err instanceof SocketModeError) {
      console.error(`${program}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
