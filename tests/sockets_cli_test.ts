import assert from "node:assert/strict";
import { UsageError } from "../lib/common/flags.ts";
import {
  CLIENT_MODES,
  runSocketMode,
  SERVER_MODES,
} from "../lib/sockets/cli.ts";
import { CHAT_HELP, parseChatClientArgs } from "../lib/sockets/chat_client.ts";
import {
  CHAT_SERVER_HELP,
  parseChatServerArgs,
} from "../lib/sockets/chat_server.ts";
import {
  ECHO_SERVER_HELP,
  parseEchoServerArgs,
} from "../lib/sockets/echo_server.ts";
import {
  HEARTBEAT_HELP,
  parseHeartbeatArgs,
} from "../lib/sockets/heartbeat_client.ts";
import {
  HEARTBEAT_SERVER_HELP,
  parseHeartbeatServerArgs,
} from "../lib/sockets/heartbeat_server.ts";
import { LINE_HELP, parseLineClientArgs } from "../lib/sockets/line_client.ts";
import {
  parseUdpPingArgs,
  UDP_PING_HELP,
} from "../lib/sockets/udp_ping_client.ts";
import {
  parseUdpPingServerArgs,
  UDP_PING_SERVER_HELP,
} from "../lib/sockets/udp_ping_server.ts";
import { type ProgramResult, runProgram } from "./helpers/socket_modes.ts";

Deno.test("anything but a leading mode flag is left to the program", () => {
  const client = (args: string[]) => runSocketMode("thor", CLIENT_MODES, args);
  const server = (args: string[]) =>
    runSocketMode("spidey", SERVER_MODES, args);
  assert.equal(client([]), null);
  assert.equal(client(["http://127.0.0.1:9234/"]), null);
  assert.equal(client(["-c", "5", "--udp-ping", "x:1"]), null);
  assert.equal(client(["--echo-server"]), null);
  assert.equal(client(["--udp-pingx"]), null);
  assert.equal(server(["-p", "0", "-d", "www"]), null);
  assert.equal(server(["--udp-ping"]), null);
  assert.equal(server(["www"]), null);
  assert.deepEqual([...CLIENT_MODES.keys()], [
    "--udp-ping",
    "--heartbeat",
    "--line",
    "--chat",
  ]);
  assert.deepEqual([...SERVER_MODES.keys()], [
    "--udp-ping-server",
    "--heartbeat-server",
    "--echo-server",
    "--chat-server",
  ]);
});

/** Runs `jobs` a few at a time: the machine has two shared cores. */
async function runAll(
  jobs: Array<[program: "thor" | "spidey", args: string[]]>,
): Promise<ProgramResult[]> {
  const results: ProgramResult[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < jobs.length) {
      const i = next++;
      const [program, args] = jobs[i]!;
      results[i] = await runProgram(program, args);
    }
  }));
  return results;
}

Deno.test("every mode has its own -h", async () => {
  const helps: Array<[string, () => unknown]> = [
    ["thor --udp-ping", () => parseUdpPingArgs(["-h"])],
    ["thor --heartbeat", () => parseHeartbeatArgs(["-h"])],
    ["thor --line", () => parseLineClientArgs(["--help"])],
    ["thor --chat", () => parseChatClientArgs(["-h"])],
    ["spidey --udp-ping-server", () => parseUdpPingServerArgs(["-h"])],
    ["spidey --heartbeat-server", () => parseHeartbeatServerArgs(["-h"])],
    ["spidey --echo-server", () => parseEchoServerArgs(["-h"])],
    ["spidey --chat-server", () => parseChatServerArgs(["--help"])],
  ];
  for (const [, parse] of helps) assert.equal(parse(), null);
  const texts = [
    UDP_PING_HELP,
    HEARTBEAT_HELP,
    LINE_HELP,
    CHAT_HELP,
    UDP_PING_SERVER_HELP,
    HEARTBEAT_SERVER_HELP,
    ECHO_SERVER_HELP,
    CHAT_SERVER_HELP,
  ];
  texts.forEach((text, i) => {
    const mode = helps[i]![0];
    assert.ok(text.startsWith(`${mode}: `), mode);
    assert.ok(text.includes(`\nUsage: ${mode}`), mode);
  });
  // And through the real programs.
  const [thor, spidey] = await runAll([
    ["thor", ["--chat", "-h"]],
    ["spidey", ["--echo-server", "--help"]],
  ]);
  assert.equal(thor!.code, 0);
  assert.equal(thor!.stdout, `${CHAT_HELP}\n`);
  assert.equal(spidey!.code, 0);
  assert.equal(spidey!.stdout, `${ECHO_SERVER_HELP}\n`);
});

Deno.test("bad values get sentence-case usage errors", () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [() => parseUdpPingArgs([]), /^--udp-ping needs HOST:PORT$/],
    [
      () => parseLineClientArgs(["localhost"]),
      /^--line needs HOST:PORT, got "localhost"$/,
    ],
    [
      () => parseUdpPingArgs(["127.0.0.1:9", "-c", "0"]),
      /^Count must be between 1 and 1000000$/,
    ],
    [
      () => parseUdpPingArgs(["127.0.0.1:9", "-W", "soon"]),
      /^Timeout must be more than 0 to 3600 seconds, got "soon"$/,
    ],
    [
      () => parseUdpPingArgs(["127.0.0.1:9", "-s", "70000"]),
      /^Size must be between 0 and 65507$/,
    ],
    [
      () => parseHeartbeatArgs(["127.0.0.1:0"]),
      /^Port must be between 1 and 65535$/,
    ],
    [
      () => parseHeartbeatArgs(["127.0.0.1:9", "-i", "0"]),
      /^Interval must be more than 0/,
    ],
    [
      () => parseChatClientArgs(["127.0.0.1:9", "--name", "two words"]),
      /^Name must be 1 to 32 of/,
    ],
    [
      () => parseLineClientArgs(["[::1]:9", "extra"]),
      /^Unexpected argument "extra"$/,
    ],
    [
      () => parseUdpPingServerArgs(["--loss", "1.5"]),
      /^Loss rate must be between 0 and 1, got "1\.5"$/,
    ],
    [
      () => parseUdpPingServerArgs(["--seed", "-1"]),
      /^Option '--seed' argument is ambiguous/,
    ],
    [() => parseEchoServerArgs(["--bogus"]), /^Unknown option '--bogus'/],
    [
      () => parseHeartbeatServerArgs(["stray"]),
      /^Unexpected argument "stray"$/,
    ],
    [
      () => parseHeartbeatServerArgs(["--silence", "0"]),
      /^Silence must be more than 0 to 86400 seconds, got "0"$/,
    ],
    [
      () => parseChatServerArgs(["-p", "99999"]),
      /^Port must be between 0 and 65535$/,
    ],
    [
      () => parseEchoServerArgs(["--max-line", "0"]),
      /^Max line must be between 1 and 1048576$/,
    ],
    [() => parseEchoServerArgs(["-b", "[]"]), /^Bind address is empty$/],
  ];
  for (const [parse, pattern] of cases) {
    assert.throws(parse, (err: unknown) => {
      assert.ok(err instanceof UsageError, String(err));
      assert.match(err.message, pattern);
      return true;
    });
  }
  const ipv6 = parseLineClientArgs(["[::1]:9234"]);
  assert.deepEqual(ipv6?.target, { hostname: "::1", port: 9234 });
});

Deno.test("usage mistakes are one line on stderr and exit 2", async () => {
  const [thor, spidey] = await runAll([
    ["thor", ["--udp-ping=127.0.0.1:9", "-c", "x"]],
    ["spidey", ["--udp-ping-server", "--loss", "1.5"]],
  ]);
  assert.equal(thor!.code, 2);
  assert.equal(thor!.stdout, "");
  assert.equal(
    thor!.stderr,
    `thor: Count must be a whole number, got "x". Try 'thor --udp-ping -h' for help.\n`,
  );
  assert.equal(spidey!.code, 2);
  assert.equal(spidey!.stdout, "");
  assert.equal(
    spidey!.stderr,
    `spidey: Loss rate must be between 0 and 1, got "1.5". Try 'spidey --udp-ping-server -h' for help.\n`,
  );
});

Deno.test("a port already in use is one line and exit 1", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const udpTaken = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    const udpPort = (udpTaken.addr as Deno.NetAddr).port;
    const [tcp, udp] = await runAll([
      ["spidey", ["--echo-server", "-b", "127.0.0.1", "-p", String(port)]],
      ["spidey", [
        "--udp-ping-server",
        "-b",
        "127.0.0.1",
        "-p",
        String(udpPort),
      ]],
    ]);
    assert.equal(tcp!.code, 1);
    assert.equal(
      tcp!.stderr,
      `spidey: Port ${port} on 127.0.0.1 is already in use\n`,
    );
    assert.equal(udp!.code, 1);
    assert.equal(
      udp!.stderr,
      `spidey: Port ${udpPort} on 127.0.0.1 is already in use\n`,
    );
  } finally {
    taken.close();
    udpTaken.close();
  }
});
