/**
 * `spidey --heartbeat-server`: receives UDP heartbeats (`<sequence>
 * <timestamp ms>`), reports each beat's one-way delay, gaps and reordered
 * beats per sender, and declares a sender stopped after a silence, with a
 * summary. Reports go to stdout; the listening line and warnings to the log.
 *
 * @module
 */

import { parseSecondsFlag } from "../common/flags.ts";
import { logInfo, logWarning } from "../common/log.ts";
import { formatAddr } from "../common/net.ts";
import { parseBeat, preciseEpochMs } from "./heartbeat_protocol.ts";
import {
  type BeatEvent,
  formatSeqRanges,
  type HeartbeatSummary,
  HeartbeatTracker,
} from "./heartbeat_tracker.ts";
import { parseServerModeArgs, type ServerModeOptions } from "./mode_args.ts";
import { serverMode } from "./mode_runner.ts";
import { listenUdp, printLine } from "./net.ts";
import { formatMs } from "./ping_stats.ts";
import { ServeLoop } from "./serve_loop.ts";

/** The `-h` text. */
export const HEARTBEAT_SERVER_HELP =
  `spidey --heartbeat-server: watch UDP heartbeats for delay, loss and silence

Usage: spidey --heartbeat-server [options]

Options:
  -p, --port PORT    UDP port to listen on (default 9234; 0 picks a free one)
  -b, --bind ADDR    address to bind (default 0.0.0.0; [::] for IPv6)
      --silence S    seconds without a beat before a sender counts as stopped
                     (default 5)
  -v, --verbose      debug logging
  -h, --help         show this help

Beats are "<sequence> <send time in ms since 1970>" (thor --heartbeat). Each
sender (address and port) is tracked on its own; one line per beat goes to
stdout, and a summary when the sender stops or the server does.
`;

/** Senders tracked at once; beats from further ones are ignored. */
const MAX_SENDERS = 1024;

/** Settings of the heartbeat server. */
export interface HeartbeatServerOptions extends ServerModeOptions {
  /** Silence after which a sender is declared stopped, in ms. */
  silenceMs: number;
}

/**
 * Reads the arguments after `--heartbeat-server`; null means `-h`.
 *
 * @throws {UsageError} for bad flags or values.
 */
export function parseHeartbeatServerArgs(
  args: readonly string[],
): HeartbeatServerOptions | null {
  return parseServerModeArgs(args, {
    silence: { type: "string" },
  }, (values) => ({
    silenceMs: values.silence === undefined
      ? 5000
      : parseSecondsFlag("Silence", values.silence, { max: 86_400 }),
  }));
}

/** The report lines for one beat from `sender`. */
export function formatBeatEvent(sender: string, event: BeatEvent): string[] {
  const delay = `delay=${formatMs(event.delayMs)} ms`;
  switch (event.kind) {
    case "first":
      return [
        `${sender} started at seq ${event.seq}`,
        `${sender} seq=${event.seq} ${delay}`,
      ];
    case "in-order":
      return [`${sender} seq=${event.seq} ${delay}`];
    case "gap": {
      const m = event.missing!;
      const count = m.to - m.from + 1;
      return [
        `${sender} lost seq ${formatSeqRanges([m])} (${count} beat${
          count === 1 ? "" : "s"
        })`,
        `${sender} seq=${event.seq} ${delay}`,
      ];
    }
    case "reordered":
      return [
        `${sender} seq=${event.seq} ${delay} reordered (after seq ${event.after})`,
      ];
    case "duplicate":
      return [`${sender} seq=${event.seq} duplicate`];
  }
}

/** The one-line summary of a sender. */
export function formatHeartbeatSummary(
  sender: string,
  s: HeartbeatSummary,
): string {
  const lost = s.lost === 0
    ? "0 lost"
    : `${s.lost} lost (seq ${formatSeqRanges(s.lostRanges)})`;
  const delay = s.delay === null
    ? ""
    : `; delay min/avg/max = ${formatMs(s.delay.min)}/${
      formatMs(s.delay.avg)
    }/${formatMs(s.delay.max)} ms`;
  return `${sender} summary: ${s.received} received, ${lost}, ` +
    `${s.reordered} reordered, ${s.duplicates} duplicates${delay}`;
}

interface Sender {
  tracker: HeartbeatTracker;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Runs the server as part of `program` (its logging) until SIGINT or
 * SIGTERM; resolves to the exit status.
 */
export const runHeartbeatServer = serverMode(
  parseHeartbeatServerArgs,
  HEARTBEAT_SERVER_HELP,
  watchHeartbeats,
);

async function watchHeartbeats(options: HeartbeatServerOptions): Promise<void> {
  const socket = listenUdp(options.hostname, options.port);
  const loop = new ServeLoop(socket);
  const senders = new Map<string, Sender>();
  let malformed = 0;
  let ignoredSenders = 0;
  const silence = `${options.silenceMs / 1000} s`;

  function declareStopped(key: string): void {
    const sender = senders.get(key);
    if (sender === undefined) return;
    senders.delete(key);
    const summary = sender.tracker.summary();
    printLine(
      `${key} stopped: no beat for ${silence} after seq ${summary.lastSeq}`,
    );
    printLine(formatHeartbeatSummary(key, summary));
  }

  function onDatagram([data, from]: [Uint8Array, Deno.Addr]): void {
    const arrivedMs = preciseEpochMs();
    const key = formatAddr(from);
    const beat = parseBeat(data);
    if (beat === null) {
      // Counted, and only sampled into the log: junk must not flood it.
      if (malformed++ % 1000 === 0) {
        logWarning(
          `Ignored a datagram from ${key} that is not a heartbeat (${malformed} so far)`,
        );
      }
      return;
    }
    let sender = senders.get(key);
    if (sender === undefined) {
      if (senders.size >= MAX_SENDERS) {
        if (ignoredSenders++ % 1000 === 0) {
          logWarning(
            `Ignoring ${key}: already tracking ${MAX_SENDERS} senders`,
          );
        }
        return;
      }
      sender = { tracker: new HeartbeatTracker() };
      senders.set(key, sender);
    }
    const event = sender.tracker.record(beat.seq, arrivedMs - beat.sentMs);
    for (const line of formatBeatEvent(key, event)) printLine(line);
    clearTimeout(sender.timer);
    sender.timer = setTimeout(() => declareStopped(key), options.silenceMs);
  }

  const buf = new Uint8Array(2048);
  await loop.run(() => socket.receive(buf), onDatagram);
  for (const [key, sender] of senders) {
    clearTimeout(sender.timer);
    printLine(
      formatHeartbeatSummary(
        `${key} (still beating)`,
        sender.tracker.summary(),
      ),
    );
  }
  logInfo("Stopped");
}
