/**
 * `spidey --udp-ping-server`: answers every datagram with the same bytes
 * upper-cased, dropping a seeded share of them (30% unless told otherwise,
 * as the lab's server does) and optionally delaying the rest, so a UDP ping
 * client has loss and latency to measure.
 *
 * @module
 */

import { parseDecimalFlag, parseIntegerFlag } from "../common/flags.ts";
import { logDebug, logInfo, logWarning } from "../common/log.ts";
import { describeError, formatAddr } from "../common/net.ts";
import { createSeededRandom, randomSeed } from "../common/seeded_random.ts";
import {
  parseRateFlag,
  parseServerModeArgs,
  type ServerModeOptions,
} from "./mode_args.ts";
import { serverMode } from "./mode_runner.ts";
import { asciiUpperCaseInPlace, listenUdp } from "./net.ts";
import { ServeLoop } from "./serve_loop.ts";

/** The `-h` text. */
export const UDP_PING_SERVER_HELP =
  `spidey --udp-ping-server: answer UDP pings with the datagram upper-cased

Usage: spidey --udp-ping-server [options]

Options:
  -p, --port PORT    UDP port to listen on (default 9234; 0 picks a free one)
  -b, --bind ADDR    address to bind (default 0.0.0.0; [::] for IPv6)
      --loss RATE    drop this share of datagrams, 0 to 1 (default 0.3,
                     as in the lab; --loss 0 drops none)
      --delay MS     wait this many milliseconds before answering (default 0)
      --seed N       seed of the loss decisions, for reproducible runs
                     (default: random, printed at start)
  -v, --verbose      log every datagram
  -h, --help         show this help

Datagram number i (counting from 1) is dropped when the i-th number of the
seeded generator is below RATE.
`;

/** The share of datagrams dropped without `--loss`: the lab server's 30%. */
export const DEFAULT_LOSS_RATE = 0.3;

/** Settings of the UDP ping server. */
export interface UdpPingServerOptions extends ServerModeOptions {
  /** Share of datagrams dropped, 0–1. */
  lossRate: number;
  /** True when `lossRate` is the default (no `--loss` given). */
  defaultLoss: boolean;
  /** Delay before each answer, in ms. */
  delayMs: number;
  /** Seed of the loss decisions. */
  seed: number;
}

/**
 * Reads the arguments after `--udp-ping-server`; null means `-h`.
 *
 * @throws {UsageError} for bad flags or values.
 */
export function parseUdpPingServerArgs(
  args: readonly string[],
): UdpPingServerOptions | null {
  return parseServerModeArgs(args, {
    loss: { type: "string" },
    delay: { type: "string" },
    seed: { type: "string" },
  }, (values) => ({
    lossRate: values.loss === undefined
      ? DEFAULT_LOSS_RATE
      : parseRateFlag("Loss rate", values.loss),
    defaultLoss: values.loss === undefined,
    delayMs: values.delay === undefined
      ? 0
      : parseDecimalFlag("Delay", values.delay, {
        max: 60_000,
        allowZero: true,
        wording: "number range",
      }),
    seed: values.seed === undefined
      ? randomSeed()
      : parseIntegerFlag("Seed", values.seed, 0, 0xffffffff),
  }));
}

/**
 * Runs the server as part of `program` (its logging) until SIGINT or
 * SIGTERM; resolves to the exit status.
 */
export const runUdpPingServer = serverMode(
  parseUdpPingServerArgs,
  UDP_PING_SERVER_HELP,
  serveUdpPings,
);

async function serveUdpPings(options: UdpPingServerOptions): Promise<void> {
  const socket = listenUdp(options.hostname, options.port);
  const loop = new ServeLoop(socket);
  // The default drops datagrams: say so, and how to turn it off.
  const lossNote = options.defaultLoss
    ? " (the default; --loss 0 for none)"
    : "";
  logInfo(
    `Answering UDP pings: loss ${options.lossRate}${lossNote}, delay ${options.delayMs} ms, seed ${options.seed}`,
  );
  const random = createSeededRandom(options.seed);
  const delayed = new Set<ReturnType<typeof setTimeout>>();
  let received = 0;
  let dropped = 0;
  let answered = 0;

  async function answer(reply: Uint8Array, to: Deno.Addr): Promise<void> {
    try {
      await socket.send(reply, to);
      answered++;
    } catch (err) {
      if (!loop.stopping) {
        logWarning(`Cannot answer ${formatAddr(to)}: ${describeError(err)}`);
      }
    }
  }

  // One buffer for every datagram; a delayed answer takes its own copy.
  const buf = new Uint8Array(65_536);
  async function onDatagram(
    [data, from]: [Uint8Array, Deno.Addr],
  ): Promise<void> {
    received++;
    // One draw per datagram, dropped or not, so datagram i always meets
    // draw i and a test can predict the outcome from the seed.
    const drop = random() < options.lossRate;
    logDebug(
      `${drop ? "Dropped" : "Answering"} ${data.length} bytes from ${
        formatAddr(from)
      }`,
    );
    if (drop) {
      dropped++;
      return;
    }
    if (options.delayMs > 0) {
      const reply = asciiUpperCaseInPlace(data.slice());
      const timer = setTimeout(() => {
        delayed.delete(timer);
        answer(reply, from);
      }, options.delayMs);
      delayed.add(timer);
    } else {
      await answer(asciiUpperCaseInPlace(data), from);
    }
  }

  await loop.run(() => socket.receive(buf), onDatagram, "Receive failed");
  for (const timer of delayed) clearTimeout(timer);
  logInfo(
    `Received ${received} datagrams: answered ${answered}, dropped ${dropped}`,
  );
  logInfo("Stopped");
}
