/**
 * `thor --chat HOST:PORT`: a chat client. Lines typed on stdin go to the
 * server as they come while everything the server sends is printed at
 * once (no turn-taking); a blank line or the end of stdin leaves.
 *
 * @module
 */

import { parseFlags, UsageError } from "../common/flags.ts";
import { closeQuietly, formatHostPort, writeAll } from "../common/net.ts";
import { isValidChatName, withNewline } from "./chat_lines.ts";
import { clientSessionError } from "./errors.ts";
import { LineReader, stripLineEnding } from "../common/line_reader.ts";
import { type Endpoint, parseEndpoint } from "./mode_args.ts";
import { runWithHelp } from "./mode_runner.ts";
import { connectTcp, writeStdout } from "./net.ts";

/** The `-h` text. */
export const CHAT_HELP = `thor --chat: chat with a spidey chat server

Usage: thor --chat HOST:PORT [options]

Options:
      --name NAME   the name others see (1 to 32 of A-Z a-z 0-9 _ . -)
  -h, --help        show this help

Lines typed are sent as they come; whatever the server sends is printed at
once. A blank line or the end of input (Ctrl-D) leaves.
`;

/** The longest stdin line sent. */
const MAX_INPUT_LINE = 65_536;

/** Settings of the chat client. */
export interface ChatClientOptions {
  /** The server. */
  target: Endpoint;
  /** Name to ask for, if any. */
  name: string | null;
}

/**
 * Reads the arguments after `--chat`; null means `-h`.
 *
 * @throws {UsageError} for bad flags or values.
 */
export function parseChatClientArgs(
  args: readonly string[],
): ChatClientOptions | null {
  const { values, positionals } = parseFlags(args, {
    name: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, { allowPositionals: true });
  if (values.help) return null;
  if (values.name !== undefined && !isValidChatName(values.name)) {
    throw new UsageError(
      `Name must be 1 to 32 of A-Z a-z 0-9 _ . -, got "${values.name}"`,
    );
  }
  return {
    target: parseEndpoint("--chat", positionals),
    name: values.name ?? null,
  };
}

const encoder = new TextEncoder();

/** Runs `thor --chat`; resolves to the exit status. */
export function runChatClient(args: readonly string[]): Promise<number> {
  return runWithHelp(args, parseChatClientArgs, CHAT_HELP, chat);
}

/** Chats until the server or stdin ends it; resolves to 0. */
async function chat(options: ChatClientOptions): Promise<number> {
  const { hostname, port } = options.target;
  const where = formatHostPort(hostname, port);
  const conn = await connectTcp(hostname, port);
  console.error(
    `Connected to ${where}; a blank line or end of input leaves.`,
  );
  try {
    if (options.name !== null) {
      await writeAll(conn, encoder.encode(`/name ${options.name}\n`));
    }
    const fromServer = printFromServer(conn).then(() => "server" as const);
    const fromStdin = sendFromStdin(conn).then(() => "stdin" as const);
    // The side that loses the race fails once the socket closes: expected.
    fromServer.catch(() => {});
    fromStdin.catch(() => {});
    const ended = await Promise.race([fromServer, fromStdin]);
    if (ended === "server") console.error(`Connection closed by ${where}.`);
    return 0;
  } catch (err) {
    throw clientSessionError(err, where, "A line");
  } finally {
    closeQuietly(conn);
  }
}

/** Prints what the server sends until it closes (or stdout does). */
async function printFromServer(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(16_384);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return;
    if (!writeStdout(buf.subarray(0, n))) return;
  }
}

/** Sends stdin lines until a blank line or the end of stdin. */
async function sendFromStdin(conn: Deno.Conn): Promise<void> {
  const reader = new LineReader(Deno.stdin, MAX_INPUT_LINE);
  for (;;) {
    const line = await reader.readLine();
    if (line === null) return;
    const text = stripLineEnding(line);
    if (text.length === 0) return;
    await writeAll(conn, withNewline(text));
  }
}
