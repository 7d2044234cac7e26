/**
 * spidey: serve a folder over HTTP from raw TCP — static files, directory
 * listings, CGI scripts and error pages — or run one of the socket server
 * modes (`--echo-server`, `--chat-server`, …).
 *
 * Usage: `deno run -A spidey.ts [-p PORT] [-d DOCROOT] [-f] [-w N] [-v]`
 *
 * @module
 */

import { runSpidey } from "./lib/server/main.ts";
import { runSocketMode, SERVER_MODES } from "./lib/sockets/cli.ts";

if (import.meta.main) {
  const args = Deno.args;
  Deno.exit(
    await (runSocketMode("spidey", SERVER_MODES, args) ?? runSpidey(args)),
  );
}
