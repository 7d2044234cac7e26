/**
 * thor: hammer an HTTP server over raw TCP and measure it.
 *
 * Usage: `deno run -A thor.ts [-r N] [-p N] [-c N] [-d SECONDS] [-v] URL`
 * (see `-h`).
 *
 * @module
 */

import { runThor } from "./lib/thor/main.ts";

if (import.meta.main) {
  Deno.exit(await runThor(Deno.args));
}
