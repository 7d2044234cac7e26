/** thor --targets: the file format, the round-robin, the per-target report. */

import assert from "node:assert/strict";
import { UsageError } from "../lib/common/flags.ts";
import { decodeChildOptions, encodeChildOptions } from "../lib/thor/child.ts";
import { LoadRun } from "../lib/thor/load.ts";
import { parseThorArgs, type ThorOptions } from "../lib/thor/options.ts";
import { loadPlanFor, targetHeaders } from "../lib/thor/plan.ts";
import { RunStats } from "../lib/thor/run_stats.ts";
import { parseTargets, targetRound } from "../lib/thor/targets.ts";
import { denoRunArgs } from "./helpers/spidey_process.ts";
import {
  okResponse,
  type SeenRequest,
  serveEach,
  startScriptedServer,
} from "./helpers/scripted_server.ts";

const bodies: Record<string, Uint8Array> = {
  "/b.json": new TextEncoder().encode('{"a":1}'),
};

function readBody(path: string): Uint8Array {
  const body = bodies[path];
  if (body === undefined) throw new Error("No such file");
  return body;
}

function parse(text: string) {
  return parseTargets(text, "t.txt", readBody);
}

function options(args: string[]): ThorOptions {
  const command = parseThorArgs(args);
  assert.equal(command.kind, "run");
  return command.options;
}

Deno.test("thor targets: vegeta's format, comments, bodies, repeats as weights", () => {
  const targets = parse([
    "# a comment",
    "GET http://127.0.0.1:1/a",
    "X-One: 1",
    "",
    "POST http://127.0.0.1:2/form",
    "Content-Type: application/json",
    "@/b.json",
    "",
    "",
    "GET http://127.0.0.1:1/a",
    "X-One: 1",
    "GET http://127.0.0.1:1/a\r",
  ].join("\n"));
  assert.equal(targets.length, 3);
  assert.equal(targets[0]!.method, "GET");
  assert.equal(targets[0]!.url.port, 1);
  assert.deepEqual(targets[0]!.headers, [["X-One", "1"]]);
  // The identical copy folds into the first; one without X-One does not.
  assert.equal(targets[0]!.weight, 2);
  assert.equal(targets[2]!.weight, 1);
  assert.deepEqual(targets[2]!.headers, []);
  assert.equal(targets[1]!.method, "POST");
  assert.deepEqual(targets[1]!.body, bodies["/b.json"]);
  assert.deepEqual(targetRound(targets), [0, 0, 1, 2]);
});

Deno.test("thor targets: a bad file names its line", () => {
  const cases: Array<[string, string]> = [
    ["", "Targets file t.txt holds no target"],
    ["# only\n\n", "Targets file t.txt holds no target"],
    [
      "X-A: 1\n",
      'Targets file t.txt line 1: expected "METHOD URL", got "X-A: 1"',
    ],
    [
      "GET http://a/\n\nGET ftp://b/\n",
      "Targets file t.txt line 3: ",
    ],
    [
      "GET http://a/\nnot a header\n",
      "Targets file t.txt line 2: header \"not a header\" is not of the form 'Name: value'",
    ],
    [
      "POST http://a/\n@/b.json\n@/b.json\n",
      "Targets file t.txt line 3: a target has one body only",
    ],
    [
      "POST http://a/\n@/b.json\nX-A: 1\n",
      "Targets file t.txt line 3: headers must come before @body",
    ],
    [
      "POST http://a/\n@/missing\n",
      "Targets file t.txt line 2: cannot read body file /missing: No such file",
    ],
    [
      "GET http://a/\nContent-Length: 3\n",
      "Targets file t.txt line 2: header Content-Length is set by thor",
    ],
    [
      "G(T http://a/\n",
      'Targets file t.txt line 1: method "G(T" is not a token',
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parse(text),
      (err) =>
        err instanceof UsageError && err.message.startsWith(message) &&
        !err.message.includes("\n"),
      `${JSON.stringify(text)} should fail with ${message}`,
    );
  }
});

Deno.test("thor --targets: conflicts, -H defaults, and the trip to a child", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/t.txt`;
    await Deno.writeTextFile(`${dir}/body`, "abc");
    await Deno.writeTextFile(
      file,
      `GET http://127.0.0.1:1/\nX-A: own\n\nPUT http://127.0.0.1:2/p\n@${dir}/body\n`,
    );
    for (
      const [args, message] of [
        [["--targets", file, "http://x/"], "--targets and a URL"],
        [["--targets", file, "-m", "GET"], "--targets and -m"],
        [["--targets", file, "--body", "x"], "--targets and --body"],
        [["--targets", file, "--body-file", file], "--targets and --body-file"],
        [["--targets", `${dir}/none`], `Cannot read targets file ${dir}/none`],
      ] as const
    ) {
      assert.throws(
        () => parseThorArgs([...args]),
        (err) => err instanceof UsageError && err.message.startsWith(message),
      );
    }
    const o = options(["--targets", file, "-H", "X-A: shared", "-H", "X-B: b"]);
    assert.equal(o.targets?.length, 2);
    assert.equal(o.url.port, 1);
    assert.deepEqual(targetHeaders(o.headers, o.targets![0]!.headers), [
      ["X-B", "b"],
      ["X-A", "own"],
    ]);
    const back = decodeChildOptions(JSON.parse(encodeChildOptions(o)));
    assert.deepEqual(back, o);
    assert.deepEqual(back.targets?.[1]?.body, new TextEncoder().encode("abc"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A server that answers every request with `status` and keeps it. */
function recording(status: number, seen: SeenRequest[]) {
  return startScriptedServer(serveEach((request) => {
    seen.push(request);
    return status === 200
      ? okResponse("ok")
      : `HTTP/1.1 ${status} Nope\r\nContent-Length: 0\r\n\r\n`;
  }));
}

async function targetsFile(text: string): Promise<string> {
  const file = await Deno.makeTempFile({ suffix: ".txt" });
  await Deno.writeTextFile(file, text);
  return file;
}

Deno.test("thor --targets: round-robin over two servers, counted per target", async () => {
  const seenA: SeenRequest[] = [];
  const seenB: SeenRequest[] = [];
  await using a = recording(200, seenA);
  await using b = recording(404, seenB);
  const file = await targetsFile(
    `GET http://127.0.0.1:${a.port}/a\n\nPOST http://127.0.0.1:${b.port}/b\nX-T: b\n`,
  );
  try {
    const o = options(["--targets", file, "-r", "10", "-c", "2"]);
    const load = new LoadRun(loadPlanFor(o, null));
    await load.prepare();
    const stats = await load.run();
    assert.equal(seenA.length, 5);
    assert.equal(seenB.length, 5);
    assert.ok(seenA.every((r) => r.line === "GET /a HTTP/1.1"));
    assert.ok(
      seenB.every((r) => r.method === "POST" && r.headers.get("x-t") === "b"),
    );
    // Each of the 2 slots keeps one connection per host.
    assert.equal(stats.connections, 4);
    assert.equal(stats.targets.length, 2);
    assert.equal(stats.targets[0]!.issued, 5);
    assert.deepEqual([...stats.targets[0]!.status], [[200, 5]]);
    assert.deepEqual([...stats.targets[1]!.status], [[404, 5]]);
    assert.equal(stats.targets[1]!.latency.count, 5);
    const back = RunStats.fromWire(stats.toWire());
    assert.deepEqual([...back.targets[1]!.status], [[404, 5]]);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("thor --targets -p 2: per-target figures merge exactly, errors too", async () => {
  const seenA: SeenRequest[] = [];
  const seenB: SeenRequest[] = [];
  await using a = recording(200, seenA);
  await using b = recording(503, seenB);
  // A third target on a closed port: every request to it fails to connect.
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (closed.addr as Deno.NetAddr).port;
  closed.close();
  const file = await targetsFile([
    `GET http://127.0.0.1:${a.port}/a`,
    `GET http://127.0.0.1:${a.port}/a`,
    "",
    `GET http://127.0.0.1:${b.port}/b`,
    "",
    `GET http://127.0.0.1:${closedPort}/c`,
    "",
  ].join("\n"));
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: denoRunArgs("thor.ts", [
        "--targets",
        file,
        "-r",
        "12",
        "-p",
        "2",
        "--no-keepalive",
        "--timeout",
        "5",
        "--json",
      ]),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    // Connection failures make the exit status 1.
    assert.equal(out.code, 1, stderr);
    const s = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.equal(s.requests, 24);
    assert.equal(s.url, file);
    const [ta, tb, tc] = s.targets;
    assert.equal(ta.weight, 2);
    assert.deepEqual(
      [ta.requests, tb.requests, tc.requests],
      [12, 6, 6],
    );
    assert.deepEqual(ta.status, { "200": 12 });
    assert.deepEqual(tb.status, { "503": 6 });
    assert.deepEqual(tc.status, {});
    assert.deepEqual(tc.errors, { connect: 6 });
    assert.equal(tc.failed, 6);
    assert.equal(seenA.length, 12);
    assert.equal(seenB.length, 6);
    assert.equal(s.failed, 6);
    // Connections: one per request that got through, none for refusals.
    assert.equal(s.phases_ms.connect.count, 18);
    assert.equal(s.phases_ms.ttfb.count, 18);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("thor targets: a 20,000-target file parses quickly, folding repeats", () => {
  const lines: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    lines.push(`GET http://127.0.0.1:1/${i % 10_000}`, "");
  }
  const started = performance.now();
  const targets = parseTargets(lines.join("\n"), "big.txt");
  // Generous: the old linear search took 13 s; a map takes milliseconds.
  assert.ok(performance.now() - started < 2000);
  assert.equal(targets.length, 10_000);
  assert.ok(targets.every((t) => t.weight === 2));
});

Deno.test("thor --targets: a host refusing its early connection is charged the failure, not the next host", async () => {
  const seen: SeenRequest[] = [];
  await using ok = recording(200, seen);
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (closed.addr as Deno.NetAddr).port;
  closed.close();
  // The refusing host comes second: its connection opened before the run
  // fails, and the slot's first request goes to the answering host.
  const file = await targetsFile(
    `GET http://127.0.0.1:${ok.port}/ok\n\nGET http://127.0.0.1:${closedPort}/no\n`,
  );
  try {
    const o = options(["--targets", file, "-r", "4", "-c", "1"]);
    const load = new LoadRun(loadPlanFor(o, null));
    await load.prepare();
    const stats = await load.run();
    const [good, refused] = stats.targets;
    assert.deepEqual([...good!.status], [[200, 2]]);
    assert.equal(good!.errorCount, 0);
    assert.equal(seen.length, 2);
    assert.deepEqual([...refused!.errors], [["connect", 2]]);
    assert.equal(refused!.completed, 0);
  } finally {
    await Deno.remove(file);
  }
});
