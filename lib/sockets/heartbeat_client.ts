/**
 * `thor --heartbeat HOST:PORT`: sends `<sequence> <timestamp ms>` datagrams
 * at a steady interval, so a receiver can tell delay, loss, reordering and
 * when the sender stopped.
 *
 * @module
 */

import {
  parseFlags,
  parseIntegerFlag,
  parseSecondsFlag,
} from "../common/flags.ts";
import { closeQuietly, formatHostPort } from "../common/net.ts";
import { onStopSignal, sleepUnless } from "../common/signals.ts";
import { formatBeat, preciseEpochMs } from "./heartbeat_protocol.ts";
import { type Endpoint, parseEndpoint } from "./mode_args.ts";
import { runWithHelp } from "./mode_runner.ts";
import { openUdpClientSocket, sendDatagram } from "./net.ts";

/** The `-h` text. */
export const HEARTBEAT_HELP =
  `thor --heartbeat: send UDP heartbeats to a heartbeat server

Usage: thor --heartbeat HOST:PORT [options]

Options:
  -i, --interval S   seconds between beats (default 1)
  -c, --count N      beats to send, then stop (default: until Ctrl-C)
  -h, --help         show this help

Each beat is "<sequence> <send time in ms since 1970>", sequence from 1. The
server's one-way delay figures assume both clocks agree (true on one host).
`;

/** Settings of a heartbeat sender. */
export interface HeartbeatOptions {
  /** The receiver. */
  target: Endpoint;
  /** Time between beats, in ms. */
  intervalMs: number;
  /** Beats to send; 0 means until stopped. */
  count: number;
}

/**
 * Reads the arguments after `--heartbeat`; null means `-h`.
 *
 * @throws {UsageError} for bad flags or values.
 */
export function parseHeartbeatArgs(
  args: readonly string[],
): HeartbeatOptions | null {
  const { values, positionals } = parseFlags(args, {
    interval: { type: "string", short: "i" },
    count: { type: "string", short: "c" },
    help: { type: "boolean", short: "h" },
  }, { allowPositionals: true });
  if (values.help) return null;
  return {
    target: parseEndpoint("--heartbeat", positionals),
    intervalMs: values.interval === undefined
      ? 1000
      : parseSecondsFlag("Interval", values.interval, { max: 86_400 }),
    count: values.count === undefined
      ? 0
      : parseIntegerFlag("Count", values.count, 1, Number.MAX_SAFE_INTEGER),
  };
}

/**
 * Sends beats until `count` is reached or SIGINT/SIGTERM; resolves to the
 * number sent.
 *
 * @throws {SocketModeError} `SEND_FAILED` when a beat cannot be sent.
 */
export async function sendHeartbeats(
  options: HeartbeatOptions,
): Promise<number> {
  const { hostname, port } = options.target;
  const socket = openUdpClientSocket(hostname);
  const encoder = new TextEncoder();
  let interrupt: () => void = () => {};
  const interrupted = new Promise<void>((resolve) => interrupt = resolve);
  let stopped = false;
  const removeSignals = onStopSignal(() => {
    stopped = true;
    interrupt();
  });
  const start = performance.now();
  let sent = 0;
  try {
    while (!stopped && (options.count === 0 || sent < options.count)) {
      const wait = start + sent * options.intervalMs - performance.now();
      if (wait > 0) {
        await sleepUnless(wait, interrupted);
        if (stopped) break;
      }
      const beat = encoder.encode(formatBeat(sent + 1, preciseEpochMs()));
      await sendDatagram(socket, beat, hostname, port);
      sent++;
    }
  } finally {
    removeSignals();
    closeQuietly(socket);
  }
  return sent;
}

/** Runs `thor --heartbeat`; resolves to the exit status. */
export function runHeartbeatClient(args: readonly string[]): Promise<number> {
  return runWithHelp(
    args,
    parseHeartbeatArgs,
    HEARTBEAT_HELP,
    reportHeartbeats,
  );
}

/** Sends the beats with a line before and after; resolves to 0. */
async function reportHeartbeats(options: HeartbeatOptions): Promise<number> {
  const target = formatHostPort(options.target.hostname, options.target.port);
  console.log(
    `Sending heartbeats to ${target} every ${options.intervalMs / 1000} s${
      options.count === 0 ? " (Ctrl-C stops)" : ""
    }`,
  );
  const sent = await sendHeartbeats(options);
  console.log(`Sent ${sent} heartbeats to ${target}`);
  return 0;
}
