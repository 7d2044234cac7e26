/**
 * `thor --line HOST:PORT`: the classic dumb telnet client. Connects, sends
 * one line read from stdin with a CRLF ending, and copies everything the
 * server sends to stdout, byte for byte, until the server closes.
 *
 * @module
 */

import { parseFlags, parseSecondsFlag } from "../common/flags.ts";
import { closeQuietly, formatHostPort, writeAll } from "../common/net.ts";
import { clientSessionError } from "./errors.ts";
import { LineReader, stripLineEnding } from "../common/line_reader.ts";
import { type Endpoint, parseEndpoint } from "./mode_args.ts";
import { runWithHelp } from "./mode_runner.ts";
import { connectTcp, writeStdout } from "./net.ts";

/** The `-h` text. */
export const LINE_HELP =
  `thor --line: send one line to a TCP server and print its answer

Usage: thor --line HOST:PORT [options]

Options:
      --http      also send an empty line (CRLF CRLF), which ends an HTTP
                  request head:  echo 'GET / HTTP/1.0' | thor --line --http HOST:PORT
      --idle S    stop when the server sends nothing for S seconds
                  (default: wait until the server closes)
  -h, --help      show this help

Reads one line from stdin (nothing is sent if stdin is empty), sends it with
a CRLF ending, and copies everything the server sends to stdout until it
closes the connection. Without --http nothing else is sent, so a blank line
never reaches servers where it means something (the chat server's "leave").
`;

/** The longest stdin line sent. */
const MAX_INPUT_LINE = 65_536;

/** Settings of the line client. */
export interface LineClientOptions {
  /** The server. */
  target: Endpoint;
  /** Follow the line with an empty line (end of an HTTP head). */
  http: boolean;
  /** Stop after this long without data, in ms; 0 waits for the close. */
  idleMs: number;
}

/**
 * Reads the arguments after `--line`; null means `-h`.
 *
 * @throws {UsageError} for bad flags or values.
 */
export function parseLineClientArgs(
  args: readonly string[],
): LineClientOptions | null {
  const { values, positionals } = parseFlags(args, {
    http: { type: "boolean" },
    idle: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, { allowPositionals: true });
  if (values.help) return null;
  return {
    target: parseEndpoint("--line", positionals),
    http: Boolean(values.http),
    idleMs: values.idle === undefined
      ? 0
      : parseSecondsFlag("Idle time", values.idle, { max: 86_400 }),
  };
}

/** The bytes sent for `content`: it, CRLF, and one more CRLF for `http`. */
export function framedLine(content: Uint8Array, http: boolean): Uint8Array {
  const ending = http ? "\r\n\r\n" : "\r\n";
  const out = new Uint8Array(content.length + ending.length);
  out.set(content);
  for (let i = 0; i < ending.length; i++) {
    out[content.length + i] = ending.charCodeAt(i);
  }
  return out;
}

/** Runs `thor --line`; resolves to the exit status. */
export function runLineClient(args: readonly string[]): Promise<number> {
  return runWithHelp(args, parseLineClientArgs, LINE_HELP, sendLine);
}

/** Sends the stdin line and prints the answer; resolves to 0. */
async function sendLine(options: LineClientOptions): Promise<number> {
  const { hostname, port } = options.target;
  const conn = await connectTcp(hostname, port);
  const where = formatHostPort(hostname, port);
  // The answer is read at once: a server may greet before the line comes.
  let sendError: unknown = null;
  sendStdinLine(conn, options.http).catch((err) => {
    sendError = err;
    closeQuietly(conn);
  });
  try {
    const idled = await copyToStdout(conn, options.idleMs);
    if (idled) {
      console.error(
        `thor: nothing from ${where} for ${options.idleMs / 1000} s; closing`,
      );
    }
  } catch (err) {
    // A failed send closed the connection: its error is the real cause.
    throw clientSessionError(sendError ?? err, where, "The line");
  } finally {
    closeQuietly(conn);
  }
  return 0;
}

async function sendStdinLine(conn: Deno.Conn, http: boolean): Promise<void> {
  const line = await new LineReader(Deno.stdin, MAX_INPUT_LINE).readLine();
  if (line === null) return;
  await writeAll(conn, framedLine(stripLineEnding(line), http));
}

/**
 * Copies `conn` to stdout until it closes (or stdout does); resolves to
 * true when it was cut short because `idleMs` passed without data.
 */
async function copyToStdout(conn: Deno.Conn, idleMs: number): Promise<boolean> {
  const buf = new Uint8Array(65_536);
  let idled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    if (idleMs <= 0) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      idled = true;
      closeQuietly(conn);
    }, idleMs);
  };
  try {
    for (;;) {
      arm();
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch (err) {
        if (idled) return true;
        throw err;
      }
      if (n === null) return false;
      if (!writeStdout(buf.subarray(0, n))) return false;
    }
  } finally {
    clearTimeout(timer);
  }
}
