import assert from "node:assert/strict";
import {
  runSocketMode,
  SPIDEY_SOCKET_FLAGS,
  THOR_SOCKET_FLAGS,
} from "../lib/sockets/cli.ts";
import { type ProgramResult, runProgram } from "./helpers/socket_modes.ts";

Deno.test("anything but a leading mode flag is left to the program", () => {
  assert.equal(runSocketMode("thor", []), null);
  assert.equal(runSocketMode("thor", ["http://127.0.0.1:9234/"]), null);
  assert.equal(runSocketMode("thor", ["-c", "5", "--udp-ping", "x:1"]), null);
  assert.equal(runSocketMode("thor", ["--echo-server"]), null);
  assert.equal(runSocketMode("thor", ["--udp-pingx"]), null);
  assert.equal(runSocketMode("spidey", ["-p", "0", "-d", "www"]), null);
  assert.equal(runSocketMode("spidey", ["--udp-ping"]), null);
  assert.equal(runSocketMode("spidey", ["www"]), null);
  assert.deepEqual(THOR_SOCKET_FLAGS, [
    "--udp-ping",
    "--heartbeat",
    "--line",
    "--chat",
  ]);
  assert.deepEqual(SPIDEY_SOCKET_FLAGS, [
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
  const jobs: Array<["thor" | "spidey", string[]]> = [
    ...THOR_SOCKET_FLAGS.map((f): ["thor", string[]] => ["thor", [f, "-h"]]),
    ...SPIDEY_SOCKET_FLAGS.map((f): ["spidey", string[]] => [
      "spidey",
      [f, "--help"],
    ]),
  ];
  const results = await runAll(jobs);
  results.forEach((result, i) => {
    const [program, args] = jobs[i]!;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert.match(result.stdout, new RegExp(`^${program} ${args[0]}: `));
    assert.match(result.stdout, new RegExp(`\\nUsage: ${program} ${args[0]}`));
  });
});

Deno.test("usage mistakes are one line on stderr and exit 2", async () => {
  const cases: Array<["thor" | "spidey", string[], RegExp]> = [
    [
      "thor",
      ["--udp-ping"],
      /^thor: --udp-ping needs HOST:PORT\. Try 'thor --udp-ping -h' for help\.$/,
    ],
    [
      "thor",
      ["--line", "localhost"],
      /^thor: --line needs HOST:PORT, got "localhost"\./,
    ],
    [
      "thor",
      ["--udp-ping", "127.0.0.1:9", "-c", "0"],
      /^thor: Count must be between 1 and 1000000\./,
    ],
    [
      "thor",
      ["--udp-ping=127.0.0.1:9", "-W", "soon"],
      /^thor: Timeout must be more than 0 to 3600 seconds, got "soon"\./,
    ],
    [
      "thor",
      ["--heartbeat", "127.0.0.1:0"],
      /^thor: Port must be between 1 and 65535\./,
    ],
    [
      "thor",
      ["--chat", "127.0.0.1:9", "--name", "two words"],
      /^thor: Name must be 1 to 32 of/,
    ],
    [
      "thor",
      ["--line", "[::1]:9", "extra"],
      /^thor: Unexpected argument "extra"\./,
    ],
    [
      "spidey",
      ["--udp-ping-server", "--loss", "1.5"],
      /^spidey: Loss rate must be between 0 and 1, got "1\.5"\. Try 'spidey --udp-ping-server -h' for help\.$/,
    ],
    [
      "spidey",
      ["--echo-server", "--bogus"],
      /^spidey: Unknown option '--bogus'/,
    ],
    [
      "spidey",
      ["--heartbeat-server", "stray"],
      /^spidey: Unexpected argument "stray"\./,
    ],
    [
      "spidey",
      ["--chat-server", "-p", "99999"],
      /^spidey: Port must be between 0 and 65535\./,
    ],
    [
      "spidey",
      ["--echo-server", "--max-line", "0"],
      /^spidey: Max line must be between 1 and 1048576\./,
    ],
  ];
  const results = await runAll(cases.map(([program, args]) => [program, args]));
  results.forEach((result, i) => {
    const [, args, pattern] = cases[i]!;
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stdout, "");
    const lines = result.stderr.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, pattern);
  });
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
