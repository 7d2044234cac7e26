import assert from "node:assert/strict";
import { UsageError } from "../lib/common/flags.ts";
import {
  parseHeaderFlag,
  parseThorArgs,
  runMode,
  type ThorOptions,
} from "../lib/thor/options.ts";
import { parseMergeArgs } from "../lib/thor/merge.ts";
import { buildRequestBytes } from "../lib/thor/request_bytes.ts";
import { parseTargetUrl } from "../lib/thor/target_url.ts";

function options(args: string[]): ThorOptions {
  const command = parseThorArgs(args);
  assert.equal(command.kind, "run");
  return (command as { options: ThorOptions }).options;
}

Deno.test("defaults are the classic tool's: one request, one process", () => {
  const o = options(["example.com"]);
  assert.equal(o.requests, 1);
  assert.equal(o.processes, 1);
  assert.equal(o.connections, 1);
  assert.equal(o.timeoutMs, 30_000);
  assert.equal(o.method, "GET");
  assert.equal(o.keepAlive, true);
  assert.equal(runMode(o), "count");
  assert.deepEqual(parseThorArgs(["-h"]), { kind: "help" });
});

Deno.test("every flag is read", () => {
  const o = options([
    "-r",
    "5",
    "-p",
    "3",
    "-c",
    "7",
    "--timeout",
    "1.5",
    "-m",
    "PUT",
    "-H",
    "X-A: 1",
    "-H",
    "X-B:two",
    "--body",
    "hi",
    "--no-keepalive",
    "--json",
    "-v",
    "http://x:81/p",
  ]);
  assert.equal(o.requests, 5);
  assert.equal(o.processes, 3);
  assert.equal(o.connections, 7);
  assert.equal(o.timeoutMs, 1500);
  assert.equal(o.method, "PUT");
  assert.deepEqual(o.headers, [["X-A", "1"], ["X-B", "two"]]);
  assert.equal(new TextDecoder().decode(o.body!), "hi");
  assert.equal(o.keepAlive, false);
  assert.equal(o.json, true);
  assert.equal(o.output, null);
  // -o takes one process only (their bodies would interleave).
  const one = parseThorArgs(["-o", "out.txt", "x"]);
  assert.ok(one.kind === "run");
  assert.equal(one.options.output, "out.txt");
  assert.equal(o.verbose, true);
  assert.equal(o.url.port, 81);
  const d = options(["-d", "2.5", "--rate", "100", "x"]);
  assert.equal(d.durationMs, 2500);
  // Kept in ms or finer, never rounded to 0.
  assert.equal(options(["-d", "0.0001", "x"]).durationMs, 0.1);
  assert.equal(options(["-d", "1.2345", "x"]).durationMs, 1234.5);
  assert.equal(d.rate, 100);
  assert.equal(runMode(d), "rate");
  assert.equal(runMode(options(["-d", "1", "x"])), "duration");
});

Deno.test("a body without -m is a POST; a body file is read", async () => {
  assert.equal(options(["--body", "x", "h"]).method, "POST");
  const path = await Deno.makeTempFile();
  await Deno.writeTextFile(path, "from file");
  const o = options(["--body-file", path, "-m", "PUT", "h"]);
  assert.equal(new TextDecoder().decode(o.body!), "from file");
  assert.equal(o.method, "PUT");
  await Deno.remove(path);
});

Deno.test("usage mistakes are UsageErrors with one sentence", () => {
  const bad = [
    [],
    ["a", "b"],
    ["-r", "0", "x"],
    ["-r", "abc", "x"],
    ["-p", "0", "x"],
    ["-c", "-1", "x"],
    ["-d", "0", "x"],
    ["--timeout", "never", "x"],
    ["-r", "2", "-d", "1", "x"],
    ["--rate", "10", "x"],
    ["--rate", "0", "-d", "1", "x"],
    ["--body", "a", "--body-file", "f", "x"],
    ["--body-file", "/no/such/file", "x"],
    ["-m", "GE T", "x"],
    ["-H", "NoColon", "x"],
    ["-H", "Content-Length: 5", "x"],
    ["--bogus", "x"],
    ["-o", "", "x"],
    ["-o", "-", "-p", "2", "x"],
    ["-o", "out.txt", "-p", "2", "x"],
    ["--child", "x"],
    ["ftp://x"],
  ];
  for (const args of bad) {
    assert.throws(
      () => parseThorArgs(args),
      (err: unknown) =>
        err instanceof UsageError && !err.message.includes("\n"),
      args.join(" "),
    );
  }
});

Deno.test("-H keeps the value and Connection: close turns keep-alive off", () => {
  assert.deepEqual(parseHeaderFlag("Accept:  text/html "), [
    "Accept",
    "text/html",
  ]);
  assert.equal(options(["-H", "Connection: close", "x"]).keepAlive, false);
});

Deno.test("the request is built once: head and body in one buffer", () => {
  const bytes = buildRequestBytes({
    url: parseTargetUrl("http://[::1]:8080/p?q"),
    method: "POST",
    headers: [["User-Agent", "me"], ["X-A", "1"]],
    body: new TextEncoder().encode("hello"),
    keepAlive: false,
  });
  assert.equal(
    new TextDecoder().decode(bytes),
    "POST /p?q HTTP/1.1\r\nHost: [::1]:8080\r\nAccept: */*\r\n" +
      "User-Agent: me\r\nX-A: 1\r\nConnection: close\r\n" +
      "Content-Length: 5\r\n\r\nhello",
  );
  const get = new TextDecoder().decode(buildRequestBytes({
    url: parseTargetUrl("example.com"),
    method: "GET",
    headers: [],
    body: null,
    keepAlive: true,
  }));
  assert.equal(
    get,
    "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: thor/0.1\r\nAccept: */*\r\n\r\n",
  );
});

Deno.test("--csv, --html and --hdr-out are read; they default to none", () => {
  const o = options([
    "--csv",
    "s.csv",
    "--html",
    "r.html",
    "--hdr-out",
    "h.json",
    "x",
  ]);
  assert.equal(o.csv, "s.csv");
  assert.equal(o.html, "r.html");
  assert.equal(o.hdrOut, "h.json");
  const bare = options(["x"]);
  assert.equal(bare.csv, null);
  assert.equal(bare.html, null);
  assert.equal(bare.hdrOut, null);
  for (const flag of ["--csv", "--html", "--hdr-out"]) {
    assert.throws(
      () => parseThorArgs([flag, "", "x"]),
      new UsageError(`${flag} file name is empty`),
    );
  }
  assert.throws(() => parseThorArgs(["--csv"]), UsageError);
});

Deno.test("thor merge reads its files and flags", () => {
  assert.deepEqual(parseMergeArgs(["-h"]), { kind: "help" });
  assert.deepEqual(
    parseMergeArgs(["a.json", "--json", "--csv", "m.csv", "b.json"]),
    {
      kind: "merge",
      options: {
        files: ["a.json", "b.json"],
        json: true,
        csv: "m.csv",
        html: null,
        hdrOut: null,
      },
    },
  );
  const html = parseMergeArgs(["--html", "m.html", "--hdr-out", "m.json", "a"]);
  assert.equal(html.kind === "merge" && html.options.html, "m.html");
  assert.equal(html.kind === "merge" && html.options.hdrOut, "m.json");
  assert.throws(
    () => parseMergeArgs([]),
    new UsageError("thor merge needs at least one stats file"),
  );
  assert.throws(() => parseMergeArgs(["--rate", "5", "a"]), UsageError);
  assert.throws(() => parseMergeArgs(["--html", "", "a"]), UsageError);
});
