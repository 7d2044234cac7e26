/**
 * `thor --udp-ping HOST:PORT`: a ping(8) over UDP. Sends `Ping <sequence>
 * <send time>` datagrams at a steady interval, gives each its own timeout,
 * matches replies by sequence and send time (so a late answer to an
 * earlier ping is never taken for the current one) and ends with
 * ping-style statistics, or JSON.
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
import { type Endpoint, parseEndpoint } from "./mode_args.ts";
import { runWithHelp } from "./mode_runner.ts";
import { openUdpClientSocket, sendDatagram } from "./net.ts";
import {
  formatMs,
  formatPingSummary,
  type PingSummary,
  summarizePings,
} from "./ping_stats.ts";

/** The `-h` text. */
export const UDP_PING_HELP =
  `thor --udp-ping: measure round trips and loss to a UDP echo server

Usage: thor --udp-ping HOST:PORT [options]

Options:
  -c, --count N       pings to send (default 10)
  -i, --interval S    seconds between pings (default 1; 0 sends back to back)
  -W, --timeout S     seconds to wait for each reply (default 1)
  -s, --size BYTES    pad each ping to at least BYTES bytes (max 65507)
      --json          print the results as one JSON object instead
  -h, --help          show this help

Each ping is "Ping <sequence> <send time in ms>". A reply counts for the ping
whose sequence and send time it carries (in any letter case), and only
within that ping's timeout; later ones are reported as late. Exit status is
0 when at least one reply came back in time, 1 when none did.
`;

/** The largest UDP payload over IPv4. */
const MAX_DATAGRAM = 65_507;

/** Settings of one ping run. */
export interface UdpPingOptions {
  /** The server. */
  target: Endpoint;
  /** Pings to send. */
  count: number;
  /** Time between sends, in ms. */
  intervalMs: number;
  /** Time each ping waits for its reply, in ms. */
  timeoutMs: number;
  /** Minimum datagram size in bytes (0: no padding). */
  size: number;
  /** Print JSON instead of lines. */
  json: boolean;
}

/**
 * Reads the arguments after `--udp-ping`; null means `-h`.
 *
 * @throws {UsageError} for bad flags or values.
 */
export function parseUdpPingArgs(
  args: readonly string[],
): UdpPingOptions | null {
  const { values, positionals } = parseFlags(args, {
    count: { type: "string", short: "c" },
    interval: { type: "string", short: "i" },
    timeout: { type: "string", short: "W" },
    size: { type: "string", short: "s" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, { allowPositionals: true });
  if (values.help) return null;
  return {
    target: parseEndpoint("--udp-ping", positionals),
    count: values.count === undefined
      ? 10
      : parseIntegerFlag("Count", values.count, 1, 1_000_000),
    intervalMs: values.interval === undefined
      ? 1000
      : parseSecondsFlag("Interval", values.interval, {
        allowZero: true,
        max: 86_400,
      }),
    timeoutMs: values.timeout === undefined
      ? 1000
      : parseSecondsFlag("Timeout", values.timeout, { max: 3600 }),
    size: values.size === undefined
      ? 0
      : parseIntegerFlag("Size", values.size, 0, MAX_DATAGRAM),
    json: Boolean(values.json),
  };
}

/** The datagram of ping `seq`: `Ping <seq> <sentMs>`, padded to `size`. */
export function formatPing(seq: number, sentMs: number, size: number): string {
  const text = `Ping ${seq} ${sentMs}`;
  const pad = size - text.length;
  return pad > 0 ? `${text} ${"x".repeat(pad - 1)}` : text;
}

/** Sequence and send time carried by a reply, or null if it is not one. */
export function parsePingReply(
  data: Uint8Array,
): { seq: number; sentMs: number } | null {
  // Only the head matters; decoding it as Latin-1 cannot fail on binary.
  let head = "";
  for (let i = 0; i < data.length && i < 48; i++) {
    head += String.fromCharCode(data[i]!);
  }
  const match = /^ping (\d{1,15}) (\d{1,16})(?: |$)/i.exec(head);
  if (match === null) return null;
  return { seq: Number(match[1]), sentMs: Number(match[2]) };
}

/** One ping's outcome: its round trip in ms, or null when it was lost. */
export interface PingResult {
  /** Sequence number, from 1. */
  seq: number;
  /** Round-trip time in ms; null when no reply came in time. */
  rttMs: number | null;
}

/** What a run reports as it goes. */
export interface PingEvents {
  /** A timely reply. */
  reply(seq: number, rttMs: number, bytes: number): void;
  /** A ping's timeout passed. */
  timeout(seq: number): void;
  /** A reply to a ping already declared lost. */
  late(seq: number, rttMs: number): void;
  /** A second reply to an answered ping. */
  duplicate(seq: number): void;
}

/**
 * Passes `out` each verdict (reply or timeout) in sequence order: the
 * verdict of ping N waits until every earlier ping has had its own. With a
 * short interval a timeout (which takes `-W`) would otherwise be printed
 * after later pings' replies. Late and duplicate replies follow their
 * ping's verdict. Call {@linkcode flush} at the end: a run stopped early
 * leaves pings without a verdict, and what waits behind them.
 */
export class InOrderPingEvents implements PingEvents {
  #out: PingEvents;
  #next = 1;
  // Per sequence not yet printed: its verdict (once known), then the late
  // or duplicate notes that arrived after it.
  #held = new Map<number, { verdict?: () => void; notes: Array<() => void> }>();

  /** Forwards to `out`, reordered. */
  constructor(out: PingEvents) {
    this.#out = out;
  }

  /** A timely reply to ping `seq`. */
  reply(seq: number, rttMs: number, bytes: number): void {
    this.#verdict(seq, () => this.#out.reply(seq, rttMs, bytes));
  }

  /** Ping `seq` timed out. */
  timeout(seq: number): void {
    this.#verdict(seq, () => this.#out.timeout(seq));
  }

  /** A late reply to ping `seq`. */
  late(seq: number, rttMs: number): void {
    this.#note(seq, () => this.#out.late(seq, rttMs));
  }

  /** A second reply to ping `seq`. */
  duplicate(seq: number): void {
    this.#note(seq, () => this.#out.duplicate(seq));
  }

  /** Passes on everything still held, in sequence order. */
  flush(): void {
    const seqs = [...this.#held.keys()].sort((a, b) => a - b);
    for (const seq of seqs) this.#release(seq);
    this.#held.clear();
  }

  #slot(seq: number): { verdict?: () => void; notes: Array<() => void> } {
    let slot = this.#held.get(seq);
    if (slot === undefined) {
      slot = { notes: [] };
      this.#held.set(seq, slot);
    }
    return slot;
  }

  #verdict(seq: number, emit: () => void): void {
    this.#slot(seq).verdict = emit;
    while (this.#held.get(this.#next)?.verdict !== undefined) {
      this.#release(this.#next);
      this.#held.delete(this.#next);
      this.#next++;
    }
  }

  #note(seq: number, emit: () => void): void {
    if (seq < this.#next) emit();
    else this.#slot(seq).notes.push(emit);
  }

  #release(seq: number): void {
    const slot = this.#held.get(seq);
    if (slot === undefined) return;
    slot.verdict?.();
    for (const emit of slot.notes) emit();
  }
}

/** The outcome of a run. */
export interface PingRun {
  /** Counts and statistics. */
  summary: PingSummary;
  /** Each transmitted ping, in order. */
  results: PingResult[];
  /** From the first send to the last verdict, in ms. */
  elapsedMs: number;
}

/**
 * Pings `options.target` and resolves when every ping has a verdict (or
 * SIGINT/SIGTERM stops the run early).
 *
 * @throws {SocketModeError} `SEND_FAILED` when a datagram cannot be sent.
 */
export async function pingUdp(
  options: UdpPingOptions,
  events: PingEvents,
): Promise<PingRun> {
  const { hostname, port } = options.target;
  const socket = openUdpClientSocket(hostname);
  const encoder = new TextEncoder();
  const rtts: Array<number | null> = [];
  const sentAt: number[] = [];
  const sentStamp: number[] = [];
  const pending = new Map<number, ReturnType<typeof setTimeout>>();
  let late = 0;
  let duplicates = 0;
  let sending = true;
  let wake: () => void = () => {};
  const finished = new Promise<void>((resolve) => wake = resolve);
  const settled = () => !sending && pending.size === 0;

  function stop(): void {
    sending = false;
    for (const timer of pending.values()) clearTimeout(timer);
    pending.clear();
    wake();
  }
  const removeSignals = onStopSignal(stop);

  async function receiveReplies(): Promise<void> {
    const buf = new Uint8Array(65_536);
    for (;;) {
      let data: Uint8Array;
      try {
        [data] = await socket.receive(buf);
      } catch {
        return; // Closed at the end of the run.
      }
      const now = performance.now();
      const reply = parsePingReply(data);
      if (reply === null) continue;
      const i = reply.seq - 1;
      if (sentStamp[i] !== reply.sentMs) continue; // Not one of ours.
      const timer = pending.get(reply.seq);
      const rtt = now - sentAt[i]!;
      if (timer !== undefined) {
        clearTimeout(timer);
        pending.delete(reply.seq);
        rtts[i] = rtt;
        events.reply(reply.seq, rtt, data.length);
        if (settled()) wake();
      } else if (rtts[i] === null) {
        late++;
        events.late(reply.seq, rtt);
      } else {
        duplicates++;
        events.duplicate(reply.seq);
      }
    }
  }

  const receiving = receiveReplies();
  const start = performance.now();
  try {
    for (let seq = 1; seq <= options.count && sending; seq++) {
      const wait = start + (seq - 1) * options.intervalMs - performance.now();
      if (wait > 0) await sleepUnless(wait, finished);
      if (!sending) break;
      const stamp = Date.now();
      const payload = encoder.encode(formatPing(seq, stamp, options.size));
      sentStamp[seq - 1] = stamp;
      sentAt[seq - 1] = performance.now();
      rtts[seq - 1] = null;
      // Registered before the send: the reply may be read while we await it.
      pending.set(
        seq,
        setTimeout(() => {
          pending.delete(seq);
          events.timeout(seq);
          if (settled()) wake();
        }, options.timeoutMs),
      );
      await sendDatagram(socket, payload, hostname, port);
    }
    sending = false;
    if (!settled()) await finished;
  } finally {
    stop();
    removeSignals();
    closeQuietly(socket);
    await receiving;
  }
  const elapsedMs = performance.now() - start;
  const timely = rtts.filter((r): r is number => r !== null);
  return {
    summary: summarizePings(rtts.length, timely, late, duplicates),
    results: rtts.map((rttMs, i) => ({ seq: i + 1, rttMs })),
    elapsedMs,
  };
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The JSON document `--json` prints, on one line. */
export function pingRunToJson(target: string, run: PingRun): string {
  const s = run.summary;
  return JSON.stringify(
    {
      target,
      transmitted: s.transmitted,
      received: s.received,
      late: s.late,
      duplicates: s.duplicates,
      lossPercent: round3(s.lossPercent),
      elapsedMs: round3(run.elapsedMs),
      rttMs: s.rtt === null ? null : {
        min: round3(s.rtt.min),
        avg: round3(s.rtt.avg),
        max: round3(s.rtt.max),
        stddev: round3(s.rtt.stddev),
      },
      pings: run.results.map((r) => ({
        seq: r.seq,
        rttMs: r.rttMs === null ? null : round3(r.rttMs),
      })),
    },
  );
}

/** Runs `thor --udp-ping`; resolves to the exit status. */
export function runUdpPingClient(args: readonly string[]): Promise<number> {
  return runWithHelp(args, parseUdpPingArgs, UDP_PING_HELP, reportPings);
}

/**
 * Pings and prints each verdict and the statistics (or the JSON);
 * resolves to 0 when a reply came back in time, 1 when none did.
 */
async function reportPings(options: UdpPingOptions): Promise<number> {
  const target = formatHostPort(options.target.hostname, options.target.port);
  const print = options.json ? () => {} : (line: string) => console.log(line);
  print(
    `UDP PING ${target}: ${options.count} pings, timeout ${
      options.timeoutMs / 1000
    } s`,
  );
  // Verdicts come as they happen (a timeout only after -W); print them in
  // sequence order, as ping(8) reads.
  const ordered = new InOrderPingEvents({
    reply: (seq, rtt, bytes) =>
      print(
        `Reply from ${target}: seq=${seq} bytes=${bytes} time=${
          formatMs(rtt)
        } ms`,
      ),
    timeout: (seq) => print(`Request timed out: seq=${seq}`),
    late: (seq, rtt) =>
      print(`Late reply: seq=${seq} time=${formatMs(rtt)} ms (not counted)`),
    duplicate: (seq) => print(`Duplicate reply: seq=${seq}`),
  });
  const run = await pingUdp(options, ordered);
  ordered.flush();
  if (options.json) {
    console.log(pingRunToJson(target, run));
  } else {
    console.log(`\n${formatPingSummary(target, run.summary, run.elapsedMs)}`);
  }
  return run.summary.received > 0 ? 0 : 1;
}
