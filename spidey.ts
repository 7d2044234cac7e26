/**
 * spidey: serve a folder over HTTP from raw TCP — static files, directory
 * listings, CGI scripts and error pages.
 *
 * Usage: `deno run -A spidey.ts [-p PORT] [-d DOCROOT] [-f] [-w N] [-v]`
 *
 * @module
 */

import { runSpidey } from "./lib/server/main.ts";

if (import.meta.main) {
  Deno.exit(await runSpidey(Deno.args));
}
