import assert from "node:assert/strict";
import { UsageError } from "../lib/common/flags.ts";
import {
  CHILD_FLAG,
  CHILD_LINES,
  childOptions,
  decodeChildOptions,
  encodeChildOptions,
} from "../lib/thor/child.ts";
import { RunStats } from "../lib/thor/run_stats.ts";
import { denoRunArgs } from "./helpers/spidey_process.ts";
import { startScriptedServer } from "./helpers/scripted_server.ts";
import {
  parseThorArgs,
  runMode,
  type ThorOptions,
} from "../lib/thor/options.ts";
import { parseTargetUrl } from "../lib/thor/target_url.ts";

function options(args: string[]): ThorOptions {
  const command = parseThorArgs(args);
  assert.equal(command.kind, "run");
  return (command as { options: ThorOptions }).options;
}

/** What a child reads back from what its parent sends. */
function roundTrip(o: ThorOptions): ThorOptions {
  const line = encodeChildOptions(o);
  assert.ok(!line.includes("\n"), "one line");
  return decodeChildOptions(JSON.parse(line));
}

Deno.test("a child gets every option of its parent", () => {
  // Every field differs from what a bare `thor URL` gives, so a field that
  // is not carried (or comes back as a default) fails; a new field must be
  // added here, and to the field table in child.ts.
  const sample: ThorOptions = {
    url: parseTargetUrl("https://[::1]:8443/p?q=1"),
    targets: [{
      url: parseTargetUrl("http://a:81/x"),
      method: "PUT",
      headers: [["X-A", "1"]],
      body: new Uint8Array([1, 2, 3]),
      weight: 2,
    }],
    targetsFile: "targets.txt",
    requests: 7,
    requestsGiven: true,
    processes: 3,
    connections: 4,
    durationMs: 2500,
    rate: 12.5,
    timeoutMs: 1500,
    method: "PUT",
    headers: [["X-A", "-1"], ["X-B", "two words"]],
    bodyText: "--body-like\nline",
    bodyFile: "/tmp/body -file",
    body: Uint8Array.of(0, 255, 10, 13, 0x2d),
    keepAlive: false,
    json: true,
    output: "-",
    csv: "per second.csv",
    html: "report.html",
    hdrOut: "stats.json",
    verbose: true,
    insecure: true,
    caCerts: "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n",
    sni: "name.test",
    child: true,
  };
  const bare = options(["x"]);
  for (const key of Object.keys(bare) as (keyof ThorOptions)[]) {
    assert.notDeepEqual(sample[key], bare[key], key);
  }
  assert.deepEqual(Object.keys(sample).sort(), Object.keys(bare).sort());
  const back = roundTrip(sample);
  assert.deepEqual(back, sample);
  assert.ok(back.body instanceof Uint8Array);
});

Deno.test("children get the same run for one process and a share of the rate", () => {
  const parent = options([
    "-p",
    "4",
    "-c",
    "2",
    "-d",
    "3",
    "--rate",
    "100",
    "-m",
    "POST",
    "-H",
    "X-A: -1",
    "--body=-dash",
    "--timeout",
    "2",
    "-v",
    "x/y",
  ]);
  const child = roundTrip(childOptions(parent));
  // The 300 scheduled requests (100/s for 3 s) are split exactly.
  assert.deepEqual(child, {
    ...parent,
    processes: 1,
    rate: 25,
    requests: 75,
    requestsGiven: true,
    child: true,
  });
  const uneven = options(["-p", "3", "--rate", "100", "-d", "1", "x"]);
  const shares = [0, 1, 2].map((i) => childOptions(uneven, i).requests);
  assert.deepEqual(shares, [34, 33, 33]);
  assert.equal(new TextDecoder().decode(child.body!), "-dash");
  const counted = roundTrip(
    childOptions(options(["-p", "3", "-r", "5", "x"])),
  );
  assert.equal(counted.requests, 5);
  assert.equal(runMode(counted), "count");
  assert.equal(counted.body, null);
});

Deno.test("a child refuses options that lack a field or have a wrong type", () => {
  const good = JSON.parse(encodeChildOptions(options(["--body", "b", "x"])));
  for (const key of Object.keys(good)) {
    const missing = { ...good };
    delete missing[key];
    assert.throws(() => decodeChildOptions(missing), UsageError, key);
    assert.throws(
      () => decodeChildOptions({ ...good, [key]: { wrong: true } }),
      UsageError,
      key,
    );
  }
  assert.throws(
    () => decodeChildOptions({ ...good, body: "not base64!" }),
    UsageError,
  );
  assert.throws(
    () => decodeChildOptions({ ...good, headers: [["X-A"]] }),
    UsageError,
  );
  assert.throws(() => decodeChildOptions("x"), UsageError);
});

/** Yields `stream`'s lines as they come. */
async function* lines(stream: ReadableStream<Uint8Array>) {
  let text = "";
  for await (const piece of stream.pipeThrough(new TextDecoderStream())) {
    text += piece;
    for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n")) {
      yield text.slice(0, at);
      text = text.slice(at + 1);
    }
  }
}

Deno.test("a child stopped by its own SIGINT says interrupted in its stats line", async () => {
  // Reads each request and never answers, so the run is cut short.
  await using server = startScriptedServer(async (c) => {
    while (await c.readRequest() !== null) { /* silent */ }
  });
  const parent = options([
    "-p",
    "2",
    "-c",
    "1",
    "-d",
    "30",
    `http://127.0.0.1:${server.port}/`,
  ]);
  const child = new Deno.Command(Deno.execPath(), {
    args: denoRunArgs("thor.ts", [CHILD_FLAG]),
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const input = child.stdin.getWriter();
  const send = (line: string) =>
    input.write(new TextEncoder().encode(`${line}\n`));
  await send(encodeChildOptions(childOptions(parent, 0)));
  let stats: RunStats | null = null;
  for await (const line of lines(child.stdout)) {
    if (line === CHILD_LINES.ready) {
      await send(CHILD_LINES.go);
      // Once its request is out (the server saw it), Ctrl-C the child alone.
      while (server.requests.length === 0) {
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill("SIGINT");
    } else if (line.startsWith(`${CHILD_LINES.stats} `)) {
      stats = RunStats.fromWire(line.slice(CHILD_LINES.stats.length + 1));
    }
  }
  await input.close();
  assert.equal((await child.status).code, 130);
  assert.ok(stats !== null, "the child sent its stats");
  assert.equal(stats.interrupted, true);
  assert.equal(stats.abandoned, 1);
  // The parent's merged report says so too.
  assert.equal(RunStats.merged([stats, new RunStats()]).interrupted, true);
});
