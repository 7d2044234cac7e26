/**
 * spidey's command line, parsed with `node:util`'s `parseArgs` into a
 * {@linkcode ServerConfig}, and its help text.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_CONFIG, type ServerConfig } from "./core/config.ts";

/**
 * Where the bundled site is: `www/` beside the program's modules, which
 * `deno compile --include www` embeds at the same place in the binary.
 */
export const BUNDLED_SITE: string = fileURLToPath(
  new URL("../../www", import.meta.url),
);

/** The `-h` text. */
export const SPIDEY_HELP =
  `spidey: serve a folder over HTTP (static files, listings, CGI)

Usage: spidey [options]

Options:
  -p, --port PORT         port to listen on (default 9234; 0 picks a free one)
  -b, --bind ADDR         address to bind (default 0.0.0.0; [::] for IPv6)
  -d, --docroot DIR       document root to serve (default .)
      --bundled           serve the site that ships with spidey (www/, also
                          embedded in a compiled spidey)
  -f, --concurrent        concurrent mode: every connection handled at once,
                          with keep-alive and pipelining
  -w, --workers N         run N worker processes sharing the port (implies -f)
  -v, --verbose           debug logging
  -q, --quiet             no access log
      --dotfiles          serve and list names that start with a dot
      --cgi-timeout S     seconds a CGI script may run (default 30)
      --header-timeout S  seconds to receive a request head (default 10)
      --idle-timeout S    seconds a keep-alive connection may idle (default 15)
      --max-body BYTES    largest request body accepted (default 10485760)
  -h, --help              show this help

Without -f or -w, spidey serves one connection at a time and closes it after
its response, like a sequential accept loop.

Other modes (each has its own -h):
  spidey --udp-ping-server   spidey --heartbeat-server
  spidey --echo-server       spidey --chat-server
`;

/** A command-line mistake; reported as one line with exit status 2. */
export class UsageError extends Error {
  /** Creates a usage error with a sentence-case message. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses a decimal integer flag within bounds. */
export function parseIntegerFlag(
  name: string,
  value: string,
  min: number,
  max: number,
): number {
  if (!/^\d+$/.test(value)) {
    throw new UsageError(`${name} must be a whole number, got "${value}"`);
  }
  const n = Number(value);
  if (n < min || n > max) {
    throw new UsageError(`${name} must be between ${min} and ${max}`);
  }
  return n;
}

/** Parses a seconds flag (may be fractional) into milliseconds. */
export function parseSecondsFlag(name: string, value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`${name} must be a positive number of seconds`);
  }
  return Math.round(Number(value) * 1000);
}

/** The result of reading spidey's command line. */
export type ServerCommand =
  | { kind: "help" }
  | { kind: "serve"; config: ServerConfig };

/**
 * Reads spidey's command line.
 *
 * @throws {UsageError} for unknown flags, missing values or bad numbers.
 */
export function parseServerArgs(args: readonly string[]): ServerCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string", short: "p" },
        bind: { type: "string", short: "b" },
        docroot: { type: "string", short: "d" },
        bundled: { type: "boolean" },
        concurrent: { type: "boolean", short: "f" },
        workers: { type: "string", short: "w" },
        verbose: { type: "boolean", short: "v" },
        quiet: { type: "boolean", short: "q" },
        dotfiles: { type: "boolean" },
        "cgi-timeout": { type: "string" },
        "header-timeout": { type: "string" },
        "idle-timeout": { type: "string" },
        "max-body": { type: "string" },
        "worker-child": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError(cleanParseArgsMessage(err));
  }
  const v = parsed.values;
  if (v.help) return { kind: "help" };
  const config: ServerConfig = { ...DEFAULT_CONFIG };
  if (v.port !== undefined) {
    config.port = parseIntegerFlag("Port", v.port, 0, 65535);
  }
  if (v.bind !== undefined) {
    const host = v.bind.replace(/^\[(.*)\]$/, "$1");
    if (host === "") throw new UsageError("Bind address is empty");
    config.hostname = host;
  }
  if (v.bundled && v.docroot !== undefined) {
    throw new UsageError("Use either -d or --bundled, not both");
  }
  if (v.bundled) config.docroot = BUNDLED_SITE;
  if (v.docroot !== undefined) {
    if (v.docroot === "") throw new UsageError("Document root is empty");
    config.docroot = v.docroot;
  }
  if (v.concurrent) config.mode = "concurrent";
  if (v.workers !== undefined) {
    config.workers = parseIntegerFlag("Workers", v.workers, 1, 256);
    config.mode = "concurrent";
  }
  config.verbose = Boolean(v.verbose);
  config.accessLog = !v.quiet;
  config.dotfiles = Boolean(v.dotfiles);
  if (v["cgi-timeout"] !== undefined) {
    config.cgiTimeoutMs = parseSecondsFlag("CGI timeout", v["cgi-timeout"]);
  }
  if (v["header-timeout"] !== undefined) {
    config.headerTimeoutMs = parseSecondsFlag(
      "Header timeout",
      v["header-timeout"],
    );
  }
  if (v["idle-timeout"] !== undefined) {
    config.idleTimeoutMs = parseSecondsFlag("Idle timeout", v["idle-timeout"]);
  }
  if (v["max-body"] !== undefined) {
    config.maxBodyBytes = parseIntegerFlag(
      "Max body",
      v["max-body"],
      0,
      Number.MAX_SAFE_INTEGER,
    );
  }
  config.workerChild = Boolean(v["worker-child"]);
  return { kind: "serve", config };
}

/** Turns a `parseArgs` error into one sentence without its internal code. */
export function cleanParseArgsMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const first = text.split("\n")[0] ?? text;
  return first.replace(/\. To specify a positional argument.*$/, "")
    .replace(/^Unknown option/, "Unknown option");
}
