import assert from "node:assert/strict";
import { ERROR_CLASSES } from "../lib/thor/run_stats.ts";
import {
  type ConnectionScript,
  okResponse,
  serveEach,
  startScriptedServer,
} from "./helpers/scripted_server.ts";
import { denoRunArgs } from "./helpers/spidey_process.ts";

interface ThorResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs thor.ts as a real subprocess. */
async function thor(
  args: string[],
  env: Record<string, string> = {},
): Promise<ThorResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: denoRunArgs("thor.ts", args),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env,
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

// deno-lint-ignore no-explicit-any
type Json = any;

function json(result: ThorResult): Json {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`Not JSON:\n${result.stdout}\n${result.stderr}`);
  }
}

function errorsOf(summary: Json, counts: Record<string, number> = {}) {
  const want: Record<string, number> = {};
  for (const cls of ERROR_CLASSES) want[cls] = counts[cls] ?? 0;
  assert.deepEqual(summary.errors, want);
}

const STAMP = String.raw`\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]`;

Deno.test("--json prints one summary line with exact counts", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse("abc")));
  const url = `http://127.0.0.1:${server.port}/j`;
  const result = await thor(["-r", "6", "-c", "2", "--json", url]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  assert.equal(result.stdout.trim().split("\n").length, 1);
  const s = json(result);
  assert.equal(s.url, url);
  assert.equal(s.method, "GET");
  assert.equal(s.mode, "count");
  assert.equal(s.processes, 1);
  assert.equal(s.connections_per_process, 2);
  assert.equal(s.connections, 2);
  assert.equal(s.requests, 6);
  assert.equal(s.completed, 6);
  assert.equal(s.ok, 6);
  assert.equal(s.failed, 0);
  assert.deepEqual(s.status, { "200": 6 });
  errorsOf(s);
  assert.equal(s.bytes, 6 * okResponse("abc").length);
  for (const key of ["elapsed_s", "rps", "mbps"]) {
    assert.equal(typeof s[key], "number", key);
  }
  for (const key of ["min", "mean", "p50", "p99", "max"]) {
    assert.equal(typeof s.latency_ms[key], "number", key);
  }
  assert.equal(server.requests.length, 6);
});

Deno.test("any HTTP status is a completed run (exit 0); transport failures exit 1", async () => {
  await using server = startScriptedServer(
    serveEach((req) =>
      req.target === "/missing"
        ? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        : "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n"
    ),
  );
  const base = `http://127.0.0.1:${server.port}`;
  const notFound = await thor(["-r", "2", "--json", `${base}/missing`]);
  assert.equal(notFound.code, 0);
  assert.deepEqual(json(notFound).status, { "404": 2 });
  const oops = await thor(["-r", "3", "--json", `${base}/x`]);
  assert.equal(oops.code, 0);
  assert.deepEqual(json(oops).status, { "500": 3 });
});

Deno.test("resets: counted as read errors, one stderr line, exit 1", async () => {
  await using server = startScriptedServer((c) => c.reset());
  const result = await thor([
    "-r",
    "3",
    "--json",
    `http://127.0.0.1:${server.port}/`,
  ]);
  assert.equal(result.code, 1);
  const s = json(result);
  assert.equal(s.requests, 3);
  assert.equal(s.completed, 0);
  errorsOf(s, { read: 3 });
  assert.match(
    result.stderr,
    /^thor: 3 of 3 requests failed; last \(read\): [^\n]+\n$/,
  );
});

Deno.test("--timeout ends a request whose head never comes", async () => {
  const script: ConnectionScript = async (c) => {
    await c.readRequest();
    await c.readRequest();
  };
  await using server = startScriptedServer(script);
  const result = await thor([
    "--timeout",
    "0.3",
    "-r",
    "2",
    "--json",
    `http://127.0.0.1:${server.port}/`,
  ]);
  assert.equal(result.code, 1);
  errorsOf(json(result), { timeout: 2 });
});

Deno.test("one request dumps the response: head, then body", async () => {
  const head =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n";
  await using server = startScriptedServer(
    serveEach(() => `${head}hello world\n`),
  );
  const result = await thor([`127.0.0.1:${server.port}/hello.txt`]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${head}hello world\n`);
  assert.equal(result.stderr, "");
  assert.equal(server.requests[0]!.line, "GET /hello.txt HTTP/1.1");
  assert.equal(
    server.requests[0]!.headers.get("host"),
    `127.0.0.1:${server.port}`,
  );
});

Deno.test("one chunked response is dumped with its body decoded", async () => {
  const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  await using server = startScriptedServer(
    serveEach(() => `${head}3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n`),
  );
  const result = await thor([`http://127.0.0.1:${server.port}/`]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${head}abcde`);
});

Deno.test("one failed request prints one error line and exits 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const result = await thor([`http://127.0.0.1:${port}/`]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /^thor: Request failed \(connect\): [^\n]+\n$/);
});

Deno.test("usage errors and help", async () => {
  for (
    const args of [[], ["-r", "0", "x"], ["--nope", "x"], [
      "-r",
      "1",
      "-d",
      "1",
      "x",
    ]]
  ) {
    const result = await thor(args);
    assert.equal(result.code, 2, args.join(" "));
    assert.match(result.stderr, /^thor: [^\n]+\n$/);
    assert.equal(result.stdout, "");
  }
  const help = await thor(["-h"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: thor \[options\] URL/);
});

Deno.test("-p 3 -r 5 sends exactly 15 requests and merges three processes", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse("p")));
  const result = await thor([
    "-p",
    "3",
    "-r",
    "5",
    "--json",
    `http://127.0.0.1:${server.port}/`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const s = json(result);
  assert.equal(s.processes, 3);
  assert.equal(s.requests, 15);
  assert.deepEqual(s.status, { "200": 15 });
  assert.equal(s.connections, 3);
  assert.equal(server.requests.length, 15);
  assert.equal(server.accepted, 3);
});

Deno.test("--rate across processes splits the rate and reports corrected latency", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse("r")));
  const result = await thor([
    "-p",
    "2",
    "-r",
    "4",
    "--rate",
    "100",
    "--json",
    `http://127.0.0.1:${server.port}/`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const s = json(result);
  assert.equal(s.mode, "rate");
  assert.equal(s.target_rate, 100);
  assert.equal(s.requests, 8);
  assert.equal(typeof s.latency_corrected_ms.p99, "number");
  assert.equal(server.requests.length, 8);
});

Deno.test("-o with processes is refused: their bodies would interleave", async () => {
  const result = await thor([
    "-p",
    "2",
    "-r",
    "2",
    "-o",
    "x.out",
    "http://127.0.0.1:1/",
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^thor: -o cannot be combined with -p\./);
});

Deno.test("--child is not a public flag", async () => {
  const result = await thor(["--child", "-r", "3", "http://127.0.0.1:1/"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--child/);
  assert.equal(result.stdout, "");
});

Deno.test("an unwritable --csv path is a usage error before the run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const started = performance.now();
    const result = await thor([
      "-d",
      "30",
      "--csv",
      `${dir}/no/such/dir/x.csv`,
      "http://127.0.0.1:1/",
    ]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^thor: Cannot write .*x\.csv/);
    // Refused before the 30 s run, not after it.
    assert.ok(performance.now() - started < 20_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("help lists every exit status", async () => {
  const result = await thor(["-h"]);
  assert.equal(result.code, 0);
  const help = result.stdout.replace(/\s+/g, " ");
  assert.match(help, /1 when requests failed .* when no request finished/);
  assert.match(help, /130 when interrupted/);
  const merge = await thor(["merge", "-h"]);
  assert.match(
    merge.stdout.replace(/\s+/g, " "),
    /1 when a report file cannot be written/,
  );
});

Deno.test("-v logs each request, each process's average and each exit", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse("v")));
  const url = `http://127.0.0.1:${server.port}/`;
  const one = await thor(["-v", "-r", "3", "--json", url]);
  assert.equal(one.code, 0);
  const lines = one.stderr.trimEnd().split("\n");
  assert.match(
    lines[0]!,
    new RegExp(
      `^${STAMP} Connected to 127\\.0\\.0\\.1:${server.port}\\.\\.\\.$`,
    ),
  );
  const elapsed = new RegExp(
    // Milliseconds to three significant digits: 0.412, 1.05, 12.3.
    `^${STAMP} (\\d+) \\| Elapsed time: (?=\\d*\\.?\\d*[1-9])(\\d\\.\\d\\d|\\d\\d\\.\\d|\\d{3,}|0\\.0*\\d{3}) ms$`,
  );
  const average = new RegExp(
    `^${STAMP} (\\d+) \\| Average elapsed time: \\d+\\.\\d\\d seconds$`,
  );
  assert.equal(lines.filter((l) => elapsed.test(l)).length, 3);
  assert.equal(lines.filter((l) => average.test(l)).length, 1);
  // -p 1 is a process too: it logs its own exit.
  assert.match(
    lines[5]!,
    new RegExp(`^${STAMP} Process \\d+ terminated with exit status 0$`),
  );
  assert.equal(lines.length, 6);

  const many = await thor(["-v", "-p", "2", "-r", "2", "--json", url]);
  assert.equal(many.code, 0);
  const manyLines = many.stderr.trimEnd().split("\n");
  const averagePids = manyLines.flatMap((l) => average.exec(l)?.[1] ?? []);
  assert.equal(averagePids.length, 2);
  assert.notEqual(averagePids[0], averagePids[1]);
  assert.equal(manyLines.filter((l) => elapsed.test(l)).length, 4);
  const terminated = new RegExp(
    `^${STAMP} Process (\\d+) terminated with exit status 0$`,
  );
  const exitPids = manyLines.flatMap((l) => terminated.exec(l)?.[1] ?? []);
  assert.deepEqual(exitPids.sort(), averagePids.sort());
});

Deno.test("https goes through TLS and checks the certificate", async () => {
  const dir = await Deno.makeTempDir();
  const openssl = async (args: string[]) => {
    const out = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stderr: "null",
      stdout: "null",
    })
      .output();
    assert.equal(out.code, 0, `openssl ${args.join(" ")}`);
  };
  await openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=Thor Test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  ]);
  await openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "leaf.key",
    "-out",
    "leaf.csr",
    "-subj",
    "/CN=localhost",
  ]);
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  await openssl([
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "leaf.pem",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  ]);
  await using server = startScriptedServer(
    serveEach(() => okResponse("secret")),
    {
      cert: await Deno.readTextFile(`${dir}/leaf.pem`),
      key: await Deno.readTextFile(`${dir}/leaf.key`),
    },
  );
  const url = `https://localhost:${server.port}/`;
  const trusted = await thor(["-r", "3", "--json", url], {
    DENO_CERT: `${dir}/ca.pem`,
  });
  assert.equal(trusted.code, 0, trusted.stderr);
  assert.deepEqual(json(trusted).status, { "200": 3 });
  const untrusted = await thor(["-r", "2", "--json", url]);
  assert.equal(untrusted.code, 1);
  errorsOf(json(untrusted), { tls: 2 });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a duration run in which nothing finished exits 1", async () => {
  const script: ConnectionScript = async (c) => {
    await c.readRequest();
    await c.readRequest();
  };
  await using server = startScriptedServer(script);
  const result = await thor([
    "-d",
    "0.5",
    "--json",
    `http://127.0.0.1:${server.port}/`,
  ]);
  assert.equal(result.code, 1);
  const s = json(result);
  assert.equal(s.requests, 0);
  assert.equal(s.mode, "duration");
  assert.equal(
    result.stderr,
    "thor: No request finished before the run ended\n",
  );
});

/** Starts thor, waits until the server has answered a few requests, sends SIGINT. */
async function interrupted(args: string[], seen: () => number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: denoRunArgs("thor.ts", args),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const started = performance.now();
  while (seen() < 10 && performance.now() - started < 15_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const sentAt = performance.now();
  child.kill("SIGINT");
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
    stopMs: performance.now() - sentAt,
  };
}

Deno.test("Ctrl-C stops the run, reports it as interrupted and exits 130", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse("i")));
  const url = `http://127.0.0.1:${server.port}/`;
  const text = await interrupted(
    ["-d", "20", url],
    () => server.requests.length,
  );
  assert.equal(text.code, 130, text.stderr);
  assert.ok(text.stopMs < 5000, `took ${text.stopMs} ms to stop`);
  assert.match(text.stdout, /Run interrupted after \d+\.\d\d s/);
  assert.match(text.stdout, /^Requests +issued +\d+$/m);

  const before = server.requests.length;
  const json = await interrupted(
    ["-p", "2", "-d", "20", "--json", url],
    () => server.requests.length - before,
  );
  assert.equal(json.code, 130, json.stderr);
  const summary = JSON.parse(json.stdout);
  assert.equal(summary.interrupted, true);
  assert.equal(summary.processes, 2);
  assert.ok(summary.requests > 0);
});

Deno.test("mb_per_s is reported, mbps kept as its alias; -d keeps sub-ms values", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse("abc")));
  const url = `http://127.0.0.1:${server.port}/`;
  const result = await thor(["-r", "4", "--json", url]);
  assert.equal(result.code, 0, result.stderr);
  const summary = json(result);
  assert.equal(typeof summary.mb_per_s, "number");
  assert.equal(summary.mbps, summary.mb_per_s);
  assert.equal(summary.interrupted, false);

  // 0.1 ms at 20000/s schedules exactly two requests, in both shapes.
  for (const p of ["1", "2"]) {
    const short = await thor([
      "-p",
      p,
      "--rate",
      "20000",
      "-d",
      "0.0001",
      "--json",
      url,
    ]);
    assert.equal(short.code, 0, short.stderr);
    const s = json(short);
    assert.equal(s.scheduled, 2);
    assert.equal(s.sent + s.unsent, 2);
  }
});

Deno.test("a rate run splits rate × duration exactly across processes", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse("r")));
  const url = `http://127.0.0.1:${server.port}/`;
  const result = await thor([
    "-p",
    "3",
    "--rate",
    "200",
    "-d",
    "1",
    "--json",
    url,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const summary = json(result);
  assert.equal(summary.scheduled, 200);
  assert.equal(summary.sent + summary.unsent, 200);
  assert.equal(summary.requests, summary.sent);
  assert.equal(typeof summary.schedule_lag_ms.p99, "number");
  assert.equal(typeof summary.rate_held, "boolean");
});
