/**
 * `spidey --chat-server`: line chat over TCP. By default the operator
 * talks with one client at a time (stdin and the socket handled at once, no
 * turn-taking); clients connecting meanwhile are told they wait, and their
 * place, until the current one leaves.
 * With `--broker` it is a room relaying every client's lines to all the
 * others.
 *
 * @module
 */

import { logDebug, logInfo, logWarning } from "../common/log.ts";
import {
  closeQuietly,
  describeError,
  formatAddr,
  writeAll,
} from "../common/net.ts";
import { ChatBroker } from "./chat_broker.ts";
import { ChatQueue } from "./chat_queue.ts";
import { prefixedLine, readChatEvent, withNewline } from "./chat_lines.ts";
import {
  LineReader,
  LineTooLongError,
  stripLineEnding,
} from "../common/line_reader.ts";
import {
  MAX_LINE_FLAG,
  parseMaxLineFlag,
  parseServerModeArgs,
  type ServerModeOptions,
} from "./mode_args.ts";
import { serverMode } from "./mode_runner.ts";
import { closeAfterMessage, writeStdout } from "./net.ts";
import { TcpServeLoop } from "./tcp_serve_loop.ts";

/** The `-h` text. */
export const CHAT_SERVER_HELP =
  `spidey --chat-server: chat with TCP clients line by line

Usage: spidey --chat-server [options]

Options:
  -p, --port PORT       port to listen on (default 9234; 0 picks a free one)
  -b, --bind ADDR       address to bind (default 0.0.0.0; [::] for IPv6)
      --broker          relay every client's lines to all the other clients
                        (many at once) instead of talking to one at a time
      --max-line BYTES  longest line accepted from a client (default 8192)
  -v, --verbose         debug logging
  -h, --help            show this help

Without --broker, lines typed on stdin go to the connected client and its
lines are printed as "[name] line"; a blank line typed here ends the
conversation, and the next waiting client is accepted when one leaves.
With --broker, stdin lines go to everyone as "[server] line". Clients leave
with a blank line or by closing; "/name NAME" sets the name others see.
`;

/** Settings of the chat server. */
export interface ChatServerOptions extends ServerModeOptions {
  /** Relay between clients instead of one-to-one with the operator. */
  broker: boolean;
  /** Longest line accepted from a client, in bytes. */
  maxLineBytes: number;
}

/**
 * Reads the arguments after `--chat-server`; null means `-h`.
 *
 * @throws {UsageError} for bad flags or values.
 */
export function parseChatServerArgs(
  args: readonly string[],
): ChatServerOptions | null {
  return parseServerModeArgs(args, {
    broker: { type: "boolean" },
    ...MAX_LINE_FLAG,
  }, (values) => ({
    broker: Boolean(values.broker),
    maxLineBytes: parseMaxLineFlag(values["max-line"]),
  }));
}

/**
 * Runs the server as part of `program` (its logging) until SIGINT or
 * SIGTERM; resolves to the exit status.
 */
export const runChatServer = serverMode(
  parseChatServerArgs,
  CHAT_SERVER_HELP,
  serveChat,
);

/** Longest line the operator may type. */
const MAX_STDIN_LINE = 65_536;

/** Feeds each stdin line (without its ending) to `onLine` until stdin ends. */
async function readStdinLines(
  onLine: (text: Uint8Array) => Promise<void> | void,
): Promise<void> {
  const reader = new LineReader(Deno.stdin, MAX_STDIN_LINE);
  for (;;) {
    let line: Uint8Array | null;
    try {
      line = await reader.readLine();
    } catch (err) {
      const why = err instanceof LineTooLongError
        ? err.message
        : describeError(err);
      logWarning(`Stopped reading stdin: ${why}`);
      return;
    }
    if (line === null) return;
    await onLine(stripLineEnding(line));
  }
}

/** One client of the one-at-a-time mode. */
interface Partner {
  conn: Deno.Conn;
  name: string;
  endedHere: boolean;
}

async function serveChat(options: ChatServerOptions): Promise<void> {
  const broker = options.broker ? new ChatBroker(options.maxLineBytes) : null;
  const queue = broker === null ? new ChatQueue() : null;
  let partner: Partner | null = null;
  const loop = new TcpServeLoop(options, () => {
    broker?.closeAll();
    queue?.close();
    if (partner !== null) closeQuietly(partner.conn);
  });

  readStdinLines(async (text) => {
    if (broker !== null) {
      if (text.length > 0) broker.say(text);
      return;
    }
    const current = partner;
    if (text.length === 0) {
      if (current === null) return;
      current.endedHere = true;
      closeQuietly(current.conn);
    } else if (current === null) {
      logWarning("Nobody is connected; the line was not sent");
    } else {
      try {
        await writeAll(current.conn, withNewline(text));
      } catch {
        // The conversation's reader sees the broken connection too.
      }
    }
  }).then(() => {
    if (broker === null) logInfo("Stdin ended: listening only from now on");
    else logDebug("Stdin ended");
  });

  // One at a time: one conversation after another, fed by the queue the
  // accept loop fills (so a waiting client can be told that it waits).
  if (queue !== null) {
    loop.track((async () => {
      for (;;) {
        const conn = await queue.take();
        if (conn === null) return;
        const current: Partner = {
          conn,
          name: formatAddr(conn.remoteAddr),
          endedHere: false,
        };
        partner = current;
        logInfo(`Chatting with ${current.name}`);
        const reason = await converse(current, options.maxLineBytes);
        partner = null;
        closeQuietly(conn);
        logInfo(
          `${current.name} left: ${
            current.endedHere ? "ended by the server" : reason
          }`,
        );
      }
    })());
  }

  await loop.acceptEach((conn) => {
    try {
      conn.setNoDelay(true);
    } catch {
      // Reset already: the first read will say so.
    }
    if (broker !== null) {
      loop.track(broker.serve(conn));
      return;
    }
    const address = formatAddr(conn.remoteAddr);
    switch (queue!.add(conn)) {
      case "queued":
        logInfo(`${address} waits its turn (${queue!.size} in the queue)`);
        break;
      case "full":
        logWarning(`Turned away ${address}: the queue is full`);
    }
  });
}

/** Prints the partner's lines until it leaves; resolves to why it left. */
async function converse(
  partner: Partner,
  maxLineBytes: number,
): Promise<string> {
  const reader = new LineReader(partner.conn, maxLineBytes);
  for (;;) {
    const said = await readChatEvent(
      reader,
      (notice) => closeAfterMessage(partner.conn, notice),
    );
    switch (said.kind) {
      case "left":
        return said.reason;
      case "rename":
        logInfo(`${partner.name} is now ${said.name}`);
        partner.name = said.name;
        break;
      case "bad-name":
        logDebug(`${partner.name} asked for the bad name "${said.name}"`);
        break;
      case "say":
        writeStdout(prefixedLine(partner.name, said.text));
    }
  }
}
