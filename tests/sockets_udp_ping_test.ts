import assert from "node:assert/strict";
import { createSeededRandom } from "../lib/common/seeded_random.ts";
import {
  formatPing,
  InOrderPingEvents,
  parsePingReply,
} from "../lib/sockets/udp_ping_client.ts";
import {
  DEFAULT_LOSS_RATE,
  parseUdpPingServerArgs,
  UDP_PING_SERVER_HELP,
} from "../lib/sockets/udp_ping_server.ts";
import { runProgram, startSocketServer } from "./helpers/socket_modes.ts";

interface PingJson {
  transmitted: number;
  received: number;
  late: number;
  duplicates: number;
  lossPercent: number;
  rttMs: { min: number; avg: number; max: number; stddev: number } | null;
  pings: Array<{ seq: number; rttMs: number | null }>;
}

const encoder = new TextEncoder();

/**
 * Starts spidey's UDP ping server on a free loopback port with the
 * space-separated `flags` (e.g. `"--loss 0 --delay 40"`).
 */
function startPingServer(flags: string) {
  return startSocketServer([
    "--udp-ping-server",
    ...["-p", "0", "-b", "127.0.0.1"],
    ...flags.split(" "),
  ]);
}

/**
 * Runs `thor --udp-ping` against `127.0.0.1:port` with the space-separated
 * `flags` (e.g. `"-c 3 -i 0.05 -W 3"`) until it exits.
 */
function pingWithThor(port: number, flags: string) {
  return runProgram("thor", [
    "--udp-ping",
    `127.0.0.1:${port}`,
    ...flags.split(" "),
  ]);
}

Deno.test("a ping datagram carries sequence and send time, padded to size", () => {
  assert.equal(formatPing(7, 1700000000123, 0), "Ping 7 1700000000123");
  const padded = formatPing(7, 1700000000123, 40);
  assert.equal(padded.length, 40);
  assert.match(padded, /^Ping 7 1700000000123 x+$/);
  assert.deepEqual(
    parsePingReply(encoder.encode("PING 7 1700000000123 XXXX")),
    { seq: 7, sentMs: 1700000000123 },
  );
  assert.deepEqual(parsePingReply(encoder.encode("ping 3 12")), {
    seq: 3,
    sentMs: 12,
  });
  assert.equal(parsePingReply(encoder.encode("PONG 7 1")), null);
  assert.equal(parsePingReply(encoder.encode("PING 7")), null);
  assert.equal(parsePingReply(new Uint8Array([0xff, 0x00, 0x50])), null);
});

Deno.test("200 pings at --loss 0.3: exactly the seeded survivors come back", async () => {
  const seed = 20240611;
  await using server = await startPingServer(`--loss 0.3 --seed ${seed}`);
  const result = await pingWithThor(
    server.port,
    "-c 200 -i 0.002 -W 1.5 --json",
  );
  assert.equal(result.code, 0, result.stderr);
  const run = JSON.parse(result.stdout) as PingJson;

  // The server draws once per datagram, in arrival order.
  const random = createSeededRandom(seed);
  const expected: number[] = [];
  for (let seq = 1; seq <= 200; seq++) if (random() >= 0.3) expected.push(seq);
  const answered = run.pings.filter((p) => p.rttMs !== null).map((p) => p.seq);

  assert.equal(run.transmitted, 200);
  assert.deepEqual(answered, expected);
  assert.equal(run.received, expected.length);
  assert.ok(
    run.received >= 120 && run.received <= 160,
    `about 70% expected, got ${run.received}/200`,
  );
  assert.equal(run.lossPercent, ((200 - run.received) / 200) * 100);
  assert.equal(run.late, 0);
  assert.ok(run.rttMs !== null);
  assert.ok(run.rttMs.min <= run.rttMs.avg && run.rttMs.avg <= run.rttMs.max);
  assert.ok(run.rttMs.stddev >= 0);

  await server.stop();
  assert.match(
    server.stderr(),
    new RegExp(
      `Received 200 datagrams: answered ${expected.length}, dropped ${
        200 - expected.length
      }`,
    ),
  );
});

Deno.test("a late reply is reported as late, never counted for a later ping", async () => {
  // Each answer comes 150 ms after its ping: past the 100 ms timeout and
  // before the next ping. A client that took "the next datagram" as the
  // reply would count ping 1's answer for ping 2.
  await using server = await startPingServer("--loss 0 --delay 150");
  const result = await pingWithThor(server.port, "-c 3 -i 0.3 -W 0.1");
  assert.equal(result.code, 1, "no timely reply at all: exit 1");
  for (const seq of [1, 2, 3]) {
    assert.match(
      result.stdout,
      new RegExp(`^Request timed out: seq=${seq}$`, "m"),
    );
  }
  assert.doesNotMatch(result.stdout, /^Reply from/m);
  assert.match(
    result.stdout,
    /^Late reply: seq=1 time=[\d.]+ ms \(not counted\)$/m,
  );
  assert.match(
    result.stdout,
    /UDP ping statistics ---\n3 packets transmitted, 0 received, [12] late, 100% packet loss, time \d+ms\n$/,
  );
});

Deno.test("replies are padded pings upper-cased, with round trips past the delay", async () => {
  await using server = await startPingServer("--loss 0 --delay 40");
  const result = await pingWithThor(server.port, "-c 3 -i 0.05 -W 3 -s 300");
  assert.equal(result.code, 0, result.stderr);
  const replies = [
    ...result.stdout.matchAll(/seq=(\d) bytes=(\d+) time=([\d.]+) ms/g),
  ];
  assert.deepEqual(replies.map((m) => m[1]).sort(), ["1", "2", "3"]);
  for (const m of replies) {
    assert.equal(m[2], "300");
    assert.ok(Number(m[3]) >= 40, `rtt ${m[3]} below the 40 ms delay`);
  }
  assert.match(
    result.stdout,
    /3 packets transmitted, 3 received, 0% packet loss/,
  );
  assert.match(
    result.stdout,
    /rtt min\/avg\/max\/stddev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms/,
  );

  // Any datagram is answered: ASCII letters upper-cased, other bytes kept.
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const timer = setTimeout(() => socket.close(), 10_000);
  try {
    const sent = new Uint8Array([
      ...encoder.encode("hello é "),
      0x00,
      0xff,
      0x7a,
    ]);
    await socket.send(sent, {
      transport: "udp",
      hostname: "127.0.0.1",
      port: server.port,
    });
    const [reply] = await socket.receive();
    assert.deepEqual(
      reply,
      new Uint8Array([...encoder.encode("HELLO é "), 0x00, 0xff, 0x5a]),
    );
  } finally {
    clearTimeout(timer);
    socket.close();
  }
});

Deno.test("the server drops 30% by default, says so at start, --loss 0 drops none", async () => {
  assert.equal(DEFAULT_LOSS_RATE, 0.3);
  assert.equal(parseUdpPingServerArgs([])?.lossRate, 0.3);
  assert.equal(parseUdpPingServerArgs(["--loss", "0"])?.lossRate, 0);
  assert.match(
    UDP_PING_SERVER_HELP,
    /--loss RATE .*\(default 0\.3,\n.*--loss 0 drops none\)/,
  );

  const seed = 7; // Drops pings 1, 2 and 8 of the first ten at 0.3.
  await using lossy = await startPingServer(`--seed ${seed}`);
  await lossy.waitFor("stderr", /Answering UDP pings/);
  assert.match(
    lossy.stderr(),
    new RegExp(
      `Answering UDP pings: loss 0\\.3 \\(the default; --loss 0 for none\\), delay 0 ms, seed ${seed}\n`,
    ),
  );
  await using clean = await startPingServer("--loss 0");
  await clean.waitFor("stderr", /Answering UDP pings/);
  assert.match(clean.stderr(), /Answering UDP pings: loss 0, delay 0 ms/);

  const ping = (port: number) =>
    pingWithThor(port, "-c 10 -i 0.002 -W 1 --json");
  const [fromLossy, fromClean] = await Promise.all([
    ping(lossy.port),
    ping(clean.port),
  ]);
  const answered = (stdout: string) =>
    (JSON.parse(stdout) as PingJson).pings.filter((p) => p.rttMs !== null)
      .map((p) => p.seq);
  assert.deepEqual(answered(fromLossy.stdout), [3, 4, 5, 6, 7, 9, 10]);
  assert.deepEqual(answered(fromClean.stdout), [
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
  ]);
});

Deno.test("verdicts are printed in sequence order, a timeout before later replies", async () => {
  // Seed 7 at 0.3 drops pings 1, 2 and 8. Their timeouts (0.5 s) come
  // long after the replies to pings sent every 20 ms.
  await using server = await startPingServer("--seed 7");
  const result = await pingWithThor(server.port, "-c 10 -i 0.02 -W 0.5");
  assert.equal(result.code, 0, result.stderr);
  const verdicts = [
    ...result.stdout.matchAll(
      /^(Reply from \S+|Request timed out:) seq=(\d+)/gm,
    ),
  ].map((m) => `${m[1]!.startsWith("Reply") ? "reply" : "timeout"} ${m[2]}`);
  assert.deepEqual(verdicts, [
    "timeout 1",
    "timeout 2",
    "reply 3",
    "reply 4",
    "reply 5",
    "reply 6",
    "reply 7",
    "timeout 8",
    "reply 9",
    "reply 10",
  ]);
});

Deno.test("InOrderPingEvents holds a verdict until every earlier one is out", () => {
  const lines: string[] = [];
  const ordered = new InOrderPingEvents({
    reply: (seq, rtt, bytes) => lines.push(`reply ${seq} ${rtt} ${bytes}`),
    timeout: (seq) => lines.push(`timeout ${seq}`),
    late: (seq, rtt) => lines.push(`late ${seq} ${rtt}`),
    duplicate: (seq) => lines.push(`duplicate ${seq}`),
  });
  ordered.reply(2, 5, 20);
  ordered.reply(3, 6, 20);
  assert.deepEqual(lines, []);
  ordered.timeout(1);
  assert.deepEqual(lines, ["timeout 1", "reply 2 5 20", "reply 3 6 20"]);
  ordered.late(1, 900);
  ordered.duplicate(3);
  ordered.timeout(5);
  ordered.late(5, 1200); // Held behind ping 5's verdict, itself behind 4.
  assert.deepEqual(lines.slice(3), ["late 1 900", "duplicate 3"]);
  ordered.reply(4, 7, 20);
  assert.deepEqual(lines.slice(5), [
    "reply 4 7 20",
    "timeout 5",
    "late 5 1200",
  ]);
  // A run stopped early: 6 never got a verdict; 7's is released by flush.
  ordered.reply(7, 8, 20);
  assert.equal(lines.length, 8);
  ordered.flush();
  assert.deepEqual(lines.slice(8), ["reply 7 8 20"]);
});
