/**
 * thor: hammer an HTTP server over raw TCP and measure it, or run one of
 * the socket client modes (`--udp-ping`, `--line`, …).
 *
 * Usage: `deno run -A thor.ts [-r N] [-p N] [-c N] [-d SECONDS] [-v] URL`
 * (see `-h`).
 *
 * @module
 */

import { CLIENT_MODES, runSocketMode } from "./lib/sockets/cli.ts";
import { runThor } from "./lib/thor/main.ts";

if (import.meta.main) {
  const args = Deno.args;
  Deno.exit(await (runSocketMode("thor", CLIENT_MODES, args) ?? runThor(args)));
}
