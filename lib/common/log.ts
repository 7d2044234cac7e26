/**
 * Logging for both programs through `@logtape/logtape`: access-log lines
 * and `-v` debug lines in the classic `[YYYY-MM-DD HH:MM:SS] …` shape,
 * written to stderr in batches so a busy server does one write per tick
 * (or per 16 KiB) rather than one per request. Access lines skip logtape's
 * records and go straight into the same batch, in order with the rest: one
 * per request is too many to build a record for. Call
 * {@linkcode flushLogs} before exiting.
 *
 * @module
 */

import {
  configure,
  getLogger,
  type Logger,
  type LogRecord,
  reset,
} from "@logtape/logtape";

/** What to log. */
export interface LoggingOptions {
  /** The root category, e.g. `"spidey"` or `"thor"`. */
  app: string;
  /** Log debug lines (`-v`). */
  verbose: boolean;
}

const encoder = new TextEncoder();
let pending = "";
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  if (pending === "") return;
  const bytes = encoder.encode(pending);
  pending = "";
  try {
    let off = 0;
    while (off < bytes.length) {
      off += Deno.stderr.writeSync(bytes.subarray(off));
    }
  } catch {
    // stderr closed: logging must never take the program down.
  }
}

/** Writes any buffered log lines now (call before exiting). */
export function flushLogs(): void {
  flush();
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** Formats a time as `YYYY-MM-DD HH:MM:SS` in local time. */
export function formatLogTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function renderMessage(record: LogRecord): string {
  let out = "";
  for (const part of record.message) {
    out += typeof part === "string" ? part : String(part);
  }
  return out;
}

/** Bytes of log text held before they are written without waiting. */
const FLUSH_BYTES = 16 * 1024;

/** Adds complete lines to the batch, written at the end of this turn. */
function append(lines: string): void {
  pending += lines;
  if (pending.length >= FLUSH_BYTES) flush();
  else if (!flushScheduled) {
    flushScheduled = true;
    setTimeout(flush, 0);
  }
}

function stderrSink(record: LogRecord): void {
  const text = renderMessage(record);
  // Access-log lines are already complete; everything else gets a stamp.
  append(
    record.category[1] === "access"
      ? `${text}\n`
      : `[${formatLogTime(record.timestamp)}] ${text}\n`,
  );
}

let configured = false;

/** Configures logtape for one program; safe to call again (reconfigures). */
export async function setupLogging(options: LoggingOptions): Promise<void> {
  if (configured) await reset();
  await configure({
    reset: true,
    sinks: { stderr: stderrSink },
    loggers: [
      {
        category: [options.app],
        lowestLevel: options.verbose ? "debug" : "info",
        sinks: ["stderr"],
      },
      {
        category: ["logtape", "meta"],
        lowestLevel: "error",
        sinks: ["stderr"],
      },
    ],
  });
  configured = true;
  verboseEnabled = options.verbose;
  appName = options.app;
}

let verboseEnabled = false;
let appName = "app";

function logger(kind: string): Logger {
  return getLogger([appName, kind]);
}

/** True when `-v` debug lines are on; check before building costly text. */
export function isVerbose(): boolean {
  return verboseEnabled;
}

/** Logs a `-v` debug line, `message` taken literally. */
export function logDebug(message: string): void {
  if (verboseEnabled) logger("debug").debug("{m}", { m: message });
}

/** Logs an informational line (e.g. the listening line). */
export function logInfo(message: string): void {
  logger("main").info("{m}", { m: message });
}

/** Logs a warning (e.g. a CGI script's stderr, a restarted worker). */
export function logWarning(message: string): void {
  logger("main").warn("{m}", { m: message });
}

/** Logs an error that the program survived. */
export function logError(message: string): void {
  logger("main").error("{m}", { m: message });
}

/**
 * Logs one complete access-log line: straight into the batch once logging
 * is set up (every configuration passes info lines), else nowhere.
 */
export function logAccess(line: string): void {
  if (configured) append(`${line}\n`);
}
