/**
 * Relaying what a CGI script writes to stderr into the server log, one
 * warning per line, prefixed with the script's name. It never reaches the
 * client. A chatty or hostile script can neither forge log lines (control
 * characters are escaped) nor flood the log (a cap per line and per run).
 *
 * @module
 */

import { TextLineReader } from "../../common/line_reader.ts";
import { logWarning } from "../../common/log.ts";

/** Longest piece of one stderr line logged as one entry, in bytes. */
export const STDERR_LINE_LIMIT = 2048;
/** Most stderr characters logged for one script run. */
export const STDERR_RUN_LIMIT = 65_536;

// Everything but TAB: CR and ESC could rewrite or colour the terminal.
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/g;

function escapeControl(c: string): string {
  return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

/**
 * Reads `stream` to its end and logs each line as `CGI <name>: <line>`
 * through `log`: LF or CRLF ends a line, a line longer than
 * {@linkcode STDERR_LINE_LIMIT} is logged in pieces, control characters
 * are escaped. Resolves when the stream ends; never rejects.
 */
export async function relayScriptStderr(
  stream: ReadableStream<Uint8Array>,
  name: string,
  log: (message: string) => void = logWarning,
): Promise<void> {
  const lines = new TextLineReader(stream, STDERR_LINE_LIMIT, {
    overlong: "split",
  });
  let budget = STDERR_RUN_LIMIT;
  try {
    for (;;) {
      const line = await lines.readLine();
      if (line === null) return;
      // Keep reading past the budget: a script blocked on a full stderr
      // pipe would otherwise stall until its timeout.
      if (budget <= 0) continue;
      const text = line.replace(CONTROL, escapeControl);
      budget -= text.length;
      log(`CGI ${name}: ${text}`);
      if (budget <= 0) log(`CGI ${name}: (further stderr output dropped)`);
    }
  } catch {
    // The pipe broke (script killed): what arrived whole was logged.
  }
}
