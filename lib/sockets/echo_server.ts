/**
 * `spidey --echo-server`: a line echo server over TCP for any number of
 * clients at once. Each line comes back as sent (or upper-cased), a line
 * `exit` closes the connection, and a line longer than the limit ends it
 * with an error instead of growing a buffer.
 *
 * @module
 */

import { isVerbose, logDebug, logInfo, logWarning } from "../common/log.ts";
import { closeQuietly, formatAddr, writeAll } from "../common/net.ts";
import {
  LineReader,
  LineTooLongError,
  stripLineEnding,
} from "../common/line_reader.ts";
import { describeConnectionError } from "./errors.ts";
import {
  MAX_LINE_FLAG,
  parseMaxLineFlag,
  parseServerModeArgs,
  type ServerModeOptions,
} from "./mode_args.ts";
import { serverMode } from "./mode_runner.ts";
import { asciiUpperCaseInPlace, closeAfterMessage } from "./net.ts";
import { TcpServeLoop } from "./tcp_serve_loop.ts";

/** The `-h` text. */
export const ECHO_SERVER_HELP =
  `spidey --echo-server: echo every line back to its TCP client

Usage: spidey --echo-server [options]

Options:
  -p, --port PORT       port to listen on (default 9234; 0 picks a free one)
  -b, --bind ADDR       address to bind (default 0.0.0.0; [::] for IPv6)
      --upper           send lines back upper-cased
      --max-line BYTES  longest line accepted (default 8192); a longer one
                        gets an error line and the connection is closed
  -v, --verbose         debug logging
  -h, --help            show this help

Any number of clients at once. A line "exit" closes the connection.
`;

/** Settings of the echo server. */
export interface EchoServerOptions extends ServerModeOptions {
  /** Upper-case ASCII letters before echoing. */
  upper: boolean;
  /** Longest line content accepted, in bytes. */
  maxLineBytes: number;
}

/**
 * Reads the arguments after `--echo-server`; null means `-h`.
 *
 * @throws {UsageError} for bad flags or values.
 */
export function parseEchoServerArgs(
  args: readonly string[],
): EchoServerOptions | null {
  return parseServerModeArgs(args, {
    upper: { type: "boolean" },
    ...MAX_LINE_FLAG,
  }, (values) => ({
    upper: Boolean(values.upper),
    maxLineBytes: parseMaxLineFlag(values["max-line"]),
  }));
}

/** True for a line `exit` (with or without its ending). */
export function isExitLine(line: Uint8Array): boolean {
  const c = stripLineEnding(line);
  return c.length === 4 && c[0] === 0x65 && c[1] === 0x78 && c[2] === 0x69 &&
    c[3] === 0x74;
}

/**
 * Runs the server as part of `program` (its logging) until SIGINT or
 * SIGTERM; resolves to the exit status.
 */
export const runEchoServer = serverMode(
  parseEchoServerArgs,
  ECHO_SERVER_HELP,
  serveEcho,
);

async function serveEcho(options: EchoServerOptions): Promise<void> {
  const open = new Set<Deno.TcpConn>();
  const loop = new TcpServeLoop(options, () => {
    for (const conn of open) closeQuietly(conn);
  });
  await loop.acceptEach((conn) => loop.track(echoLines(conn, options, open)));
}

const encoder = new TextEncoder();

async function echoLines(
  conn: Deno.TcpConn,
  options: EchoServerOptions,
  open: Set<Deno.TcpConn>,
): Promise<void> {
  const peer = formatAddr(conn.remoteAddr);
  open.add(conn);
  logInfo(`Connected ${peer} (${open.size} open)`);
  let echoed = 0;
  let reason = "client closed";
  try {
    conn.setNoDelay(true);
    const reader = new LineReader(conn, options.maxLineBytes);
    for (;;) {
      const line = await reader.readLine();
      if (line === null) break;
      if (isExitLine(line)) {
        reason = "exit";
        break;
      }
      if (isVerbose()) logDebug(`${peer}: ${line.length} bytes`);
      await writeAll(conn, options.upper ? asciiUpperCaseInPlace(line) : line);
      echoed++;
    }
  } catch (err) {
    if (err instanceof LineTooLongError) {
      reason = `line longer than ${err.limit} bytes`;
      logWarning(`${peer}: ${err.message}`);
      await closeAfterMessage(
        conn,
        encoder.encode(`error: ${err.message}\r\n`),
      );
    } else {
      reason = describeConnectionError(err);
    }
  } finally {
    open.delete(conn);
    closeQuietly(conn);
  }
  logInfo(
    `Disconnected ${peer}: ${reason}, ${echoed} lines echoed (${open.size} open)`,
  );
}
