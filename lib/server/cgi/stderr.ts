/**
 * Relaying what a CGI script writes to stderr into the server log, one
 * warning per line, prefixed with the script's name. It never reaches the
 * client. A chatty or hostile script can neither forge log lines (control
 * characters are escaped) nor flood the log (a cap per run).
 *
 * @module
 */

import { logWarning } from "../../common/log.ts";

/** Longest piece of one stderr line logged as one entry, in characters. */
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
 * Splits text that arrives in pieces into log lines: LF or CRLF ends a
 * line, a line longer than {@linkcode STDERR_LINE_LIMIT} is cut, control
 * characters are escaped.
 */
export class StderrLineSplitter {
  #partial = "";

  /** Adds text; returns the lines it completed. */
  push(text: string): string[] {
    const out: string[] = [];
    let rest = this.#partial + text;
    for (;;) {
      const lf = rest.indexOf("\n");
      if (lf < 0) break;
      out.push(...this.#cut(rest.slice(0, lf)));
      rest = rest.slice(lf + 1);
    }
    while (rest.length > STDERR_LINE_LIMIT) {
      out.push(clean(rest.slice(0, STDERR_LINE_LIMIT)));
      rest = rest.slice(STDERR_LINE_LIMIT);
    }
    this.#partial = rest;
    return out;
  }

  /** Returns the unfinished last line, if any. */
  flush(): string[] {
    const rest = this.#partial;
    this.#partial = "";
    return rest === "" ? [] : this.#cut(rest);
  }

  #cut(line: string): string[] {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    const out: string[] = [];
    for (let i = 0; i < text.length; i += STDERR_LINE_LIMIT) {
      out.push(clean(text.slice(i, i + STDERR_LINE_LIMIT)));
    }
    return out.length === 0 ? [""] : out;
  }
}

function clean(line: string): string {
  return line.replace(CONTROL, escapeControl);
}

/**
 * Reads `stream` to its end and logs each line as `CGI <name>: <line>`
 * through `log`. Resolves when the stream ends; never rejects.
 */
export async function relayScriptStderr(
  stream: ReadableStream<Uint8Array>,
  name: string,
  log: (message: string) => void = logWarning,
): Promise<void> {
  const decoder = new TextDecoder();
  const splitter = new StderrLineSplitter();
  let budget = STDERR_RUN_LIMIT;
  const emit = (lines: string[]) => {
    for (const line of lines) {
      if (budget <= 0) return;
      budget -= line.length;
      log(`CGI ${name}: ${line}`);
      if (budget <= 0) log(`CGI ${name}: (further stderr output dropped)`);
    }
  };
  try {
    // Keep reading past the budget: a script blocked on a full stderr pipe
    // would otherwise stall until its timeout.
    for await (const chunk of stream) {
      emit(splitter.push(decoder.decode(chunk, { stream: true })));
    }
  } catch {
    // The pipe broke (script killed): log what arrived.
  }
  emit(splitter.push(decoder.decode()));
  emit(splitter.flush());
}
