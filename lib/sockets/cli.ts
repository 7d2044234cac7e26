/**
 * Entry to the netcat-style socket modes: a leading flag (`--udp-ping
 * HOST:PORT`, `--echo-server`, …) picks a mode from the table the program
 * offers; anything else is left to the program's own command line.
 *
 * @module
 */

import { UsageError } from "../common/flags.ts";
import { ListenError } from "../common/net.ts";
import { runChatClient } from "./chat_client.ts";
import { runChatServer } from "./chat_server.ts";
import { runEchoServer } from "./echo_server.ts";
import { SocketModeError } from "./errors.ts";
import { runHeartbeatClient } from "./heartbeat_client.ts";
import { runHeartbeatServer } from "./heartbeat_server.ts";
import { runLineClient } from "./line_client.ts";
import { runUdpPingClient } from "./udp_ping_client.ts";
import { runUdpPingServer } from "./udp_ping_server.ts";

/**
 * Runs one mode with the arguments after its flag; `program` names the
 * program in messages and logs. Resolves to the exit status.
 */
export type ModeRunner = (
  args: readonly string[],
  program: string,
) => Promise<number>;

/** Socket modes by the flag that selects them. */
export type SocketModes = ReadonlyMap<string, ModeRunner>;

/** The modes that listen: UDP ping, heartbeat, echo and chat servers. */
export const SERVER_MODES: SocketModes = new Map([
  ["--udp-ping-server", runUdpPingServer],
  ["--heartbeat-server", runHeartbeatServer],
  ["--echo-server", runEchoServer],
  ["--chat-server", runChatServer],
]);

/** The modes that connect: UDP ping, heartbeat, line and chat clients. */
export const CLIENT_MODES: SocketModes = new Map([
  ["--udp-ping", runUdpPingClient],
  ["--heartbeat", runHeartbeatClient],
  ["--line", runLineClient],
  ["--chat", runChatClient],
]);

/**
 * Runs the mode of `modes` that `args[0]` selects (`--mode` or
 * `--mode=VALUE`) as `program`; resolves to the exit status, or returns
 * `null` when `args` select none of them. Usage mistakes print one line
 * and give 2; socket failures (port in use, connection refused) one line
 * and 1.
 */
export function runSocketMode(
  program: string,
  modes: SocketModes,
  args: readonly string[],
): Promise<number> | null {
  const first = args[0];
  if (first === undefined) return null;
  const eq = first.indexOf("=");
  const flag = eq < 0 ? first : first.slice(0, eq);
  const run = modes.get(flag);
  if (run === undefined) return null;
  const rest = eq < 0 ? args.slice(1) : [first.slice(eq + 1), ...args.slice(1)];
  return runReportingErrors(program, flag, () => run(rest, program));
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
      console.error(
        `${program}: ${err.message}. Try '${program} ${flag} -h' for help.`,
      );
      return 2;
    }
    if (err instanceof SocketModeError || err instanceof ListenError) {
      console.error(`${program}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
