import assert from "node:assert/strict";
import { loadRunFor, type LoadRunOptions } from "./helpers/load_runs.ts";
import { DumpWriter } from "../lib/thor/dump.ts";
import type { LoadRun } from "../lib/thor/load.ts";
import { ERROR_CLASSES, type RunStats } from "../lib/thor/run_stats.ts";
import {
  type ConnectionScript,
  okResponse,
  serveEach,
  startScriptedServer,
} from "./helpers/scripted_server.ts";
import { timerLatenessP50 } from "./helpers/timer_lateness.ts";

/** Runs the load lib in this process against `port`. */
async function hammer(
  port: number,
  o: LoadRunOptions & { url?: string } = {},
): Promise<{ stats: RunStats; run: LoadRun }> {
  const run = loadRunFor(o.url ?? `http://127.0.0.1:${port}/x`, o);
  await run.prepare();
  const stats = await run.run();
  return { stats, run };
}

/** Asserts the exact accounting: statuses and error classes, nothing else. */
function assertCounts(
  stats: RunStats,
  status: Record<number, number>,
  errors: Partial<Record<string, number>> = {},
): void {
  assert.deepEqual(Object.fromEntries(stats.status), status);
  for (const cls of ERROR_CLASSES) {
    assert.equal(stats.errors.get(cls), errors[cls] ?? 0, `errors.${cls}`);
  }
  assert.equal(stats.issued, stats.completed + stats.errorCount);
  assert.equal(stats.latency.count, stats.completed);
}

Deno.test("keep-alive responses are all counted on reused connections", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse("hi")));
  const { stats } = await hammer(server.port, { requests: 20, connections: 2 });
  assertCounts(stats, { 200: 20 });
  assert.equal(stats.connections, 2);
  assert.equal(server.accepted, 2);
  assert.equal(server.requests.length, 20);
  const one = okResponse("hi").length;
  assert.equal(stats.bytes, 20 * one);
});

Deno.test("statuses are counted one by one", async () => {
  const answers = ["200 OK", "404 Not Found", "500 Oops"];
  await using server = startScriptedServer(serveEach((_, n) => {
    const line = answers[n % 3];
    return `HTTP/1.1 ${line}\r\nContent-Length: 0\r\n\r\n`;
  }));
  const { stats } = await hammer(server.port, { requests: 9 });
  assertCounts(stats, { 200: 3, 404: 3, 500: 3 });
});

Deno.test("a truncated body is a read error, never a success", async () => {
  const script: ConnectionScript = async (c) => {
    await c.readRequest();
    await c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
  };
  await using server = startScriptedServer(script);
  const { stats } = await hammer(server.port, { requests: 5 });
  assertCounts(stats, {}, { read: 5 });
  assert.equal(server.requests.length, 5);
});

Deno.test("a truncated chunked body is a read error, a bad chunk a protocol error", async () => {
  const script: ConnectionScript = async (c) => {
    const req = await c.readRequest();
    const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    await c.write(
      req?.target === "/cut"
        ? `${chunked}5\r\nhel`
        : `${chunked}zz\r\nhello\r\n0\r\n\r\n`,
    );
  };
  await using server = startScriptedServer(script);
  const cut = await hammer(server.port, {
    requests: 3,
    url: `http://127.0.0.1:${server.port}/cut`,
  });
  assertCounts(cut.stats, {}, { read: 3 });
  const bad = await hammer(server.port, { requests: 2 });
  assertCounts(bad.stats, {}, { protocol: 2 });
});

Deno.test("a connection reset is a read error", async () => {
  await using server = startScriptedServer((c) => c.reset());
  const { stats } = await hammer(server.port, { requests: 4 });
  assertCounts(stats, {}, { read: 4 });
  assert.equal(server.accepted, 4);
});

Deno.test("garbage instead of HTTP is a protocol error", async () => {
  const replies = ["SSH-2.0-OpenSSH_9.2\r\n\r\n", "\x00\x01\x02 binary junk"];
  const script: ConnectionScript = async (c) => {
    await c.readRequest();
    await c.write(replies[c.index % 2]!);
  };
  await using server = startScriptedServer(script);
  const { stats } = await hammer(server.port, { requests: 4 });
  assertCounts(stats, {}, { protocol: 4 });
});

Deno.test("an invalid Content-Length is a protocol error", async () => {
  await using server = startScriptedServer(
    serveEach(() => "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello"),
  );
  const { stats } = await hammer(server.port, { requests: 2 });
  assertCounts(stats, {}, { protocol: 2 });
});

Deno.test("headers delayed past the timeout are a timeout", async () => {
  const script: ConnectionScript = async (c) => {
    await c.readRequest();
    await c.readRequest(); // never answers; waits for the client to leave
  };
  await using server = startScriptedServer(script);
  const { stats, run } = await hammer(server.port, {
    requests: 3,
    connections: 2,
    timeoutMs: 300,
  });
  assertCounts(stats, {}, { timeout: 3 });
  assert.deepEqual(run.lastError, {
    cls: "timeout",
    message: "Request timed out after 0.3 s while waiting for the response",
  });
});

Deno.test("a head that stalls halfway is a timeout, said in words", async () => {
  const script: ConnectionScript = async (c) => {
    await c.readRequest();
    await c.write("HTTP/1.1 200 OK\r\nContent-Le");
    await c.readRequest();
  };
  await using server = startScriptedServer(script);
  const { stats, run } = await hammer(server.port, { timeoutMs: 1500 });
  assertCounts(stats, {}, { timeout: 1 });
  assert.equal(
    run.lastError?.message,
    "Request timed out after 1.5 s while reading the response head",
  );
});

Deno.test("a body that stalls halfway is a timeout too", async () => {
  const script: ConnectionScript = async (c) => {
    await c.readRequest();
    await c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
    await c.readRequest();
  };
  await using server = startScriptedServer(script);
  const { stats, run } = await hammer(server.port, {
    requests: 2,
    timeoutMs: 300,
  });
  assertCounts(stats, {}, { timeout: 2 });
  assert.equal(
    run.lastError?.message,
    "Request timed out after 0.3 s while reading the response body",
  );
});

Deno.test("chunked bodies with extensions and trailers complete and keep the connection", async () => {
  const response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
    "5;name=value\r\nhello\r\n6 ; other\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n";
  await using server = startScriptedServer(serveEach(() => response));
  const { stats } = await hammer(server.port, { requests: 10 });
  assertCounts(stats, { 200: 10 });
  assert.equal(server.accepted, 1);
  assert.equal(stats.bytes, 10 * response.length);
});

Deno.test("close-delimited bodies complete when the server closes", async () => {
  const script: ConnectionScript = async (c) => {
    await c.readRequest();
    await c.write(
      c.index % 2 === 0
        ? "HTTP/1.1 200 OK\r\n\r\nall of this"
        : "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end",
    );
  };
  await using server = startScriptedServer(script);
  const { stats } = await hammer(server.port, { requests: 6 });
  assertCounts(stats, { 200: 6 });
  assert.equal(server.accepted, 6);
  assert.equal(stats.connections, 6);
});

Deno.test("interim 1xx responses are skipped: 100 Continue then 200", async () => {
  await using server = startScriptedServer(
    serveEach((_, n) =>
      (n % 2 === 0
        ? ""
        : "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n") +
      "HTTP/1.1 100 Continue\r\n\r\n" + okResponse("ok")
    ),
  );
  const { stats } = await hammer(server.port, {
    requests: 4,
    method: "POST",
    body: "data",
  });
  assertCounts(stats, { 200: 4 });
  assert.equal(server.accepted, 1);
  assert.equal(new TextDecoder().decode(server.requests[0]!.body), "data");
});

Deno.test("a keep-alive limit with Connection: close makes thor reconnect", async () => {
  await using server = startScriptedServer(
    serveEach((_, n) =>
      n === 2 ? okResponse("x", "Connection: close\r\n") : okResponse("x")
    ),
  );
  const { stats } = await hammer(server.port, { requests: 10 });
  assertCounts(stats, { 200: 10 });
  assert.equal(server.accepted, 4);
  assert.equal(stats.connections, 4);
  assert.equal(server.requests.length, 10);
});

Deno.test("a keep-alive limit without notice is retried on a new connection", async () => {
  // Closes after 3 responses without saying so; the next request on that
  // connection meets the close and is sent again on a fresh one.
  await using server = startScriptedServer(
    serveEach((_, n) => n === 3 ? null : okResponse("x")),
  );
  const { stats } = await hammer(server.port, { requests: 10 });
  assertCounts(stats, { 200: 10 });
  assert.equal(server.accepted, 4);
  assert.equal(stats.connections, 4);
});

Deno.test("HEAD, 204 and 304 responses end at their head", async () => {
  const script: ConnectionScript = serveEach((req, n) => {
    if (req.method === "HEAD") {
      return "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
    }
    return n % 2 === 0
      ? "HTTP/1.1 204 No Content\r\n\r\n"
      : "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n";
  });
  await using server = startScriptedServer(script);
  const head = await hammer(server.port, {
    requests: 3,
    method: "HEAD",
    timeoutMs: 2000,
  });
  assertCounts(head.stats, { 200: 3 });
  const get = await hammer(server.port, { requests: 4, timeoutMs: 2000 });
  assertCounts(get.stats, { 204: 2, 304: 2 });
  assert.equal(server.accepted, 2);
});

Deno.test("a refused connection is a connect error for every request", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const { stats, run } = await hammer(port, { requests: 3, connections: 2 });
  assertCounts(stats, {}, { connect: 3 });
  assert.equal(run.lastError?.cls, "connect");
});

Deno.test("a name that resolves nowhere fails every request as dns", async () => {
  const { stats, run } = await hammer(0, {
    requests: 5,
    connections: 2,
    url: "http://no-such-host.invalid:8080/",
  });
  assertCounts(stats, {}, { dns: 5 });
  assert.equal(run.unresolvable, true);
});

Deno.test("--no-keepalive opens a connection per request and says Connection: close", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse("x")));
  const { stats } = await hammer(server.port, {
    requests: 4,
    keepAlive: false,
  });
  assertCounts(stats, { 200: 4 });
  assert.equal(server.accepted, 4);
  assert.equal(server.requests[0]!.headers.get("connection"), "close");
});

Deno.test("duration mode stops on time with exact accounting", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse("x")));
  const { stats } = await hammer(server.port, {
    requests: null,
    durationMs: 300,
    connections: 3,
  });
  assert.ok(stats.completed > 0);
  assertCounts(stats, { 200: stats.completed });
  assert.ok(server.requests.length >= stats.completed);
});

Deno.test("rate mode sends the asked number and records corrected latency", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse("x")));
  const { stats } = await hammer(server.port, {
    requests: 20,
    rate: 200,
    connections: 2,
  });
  assertCounts(stats, { 200: 20 });
  assert.equal(stats.correctedLatency.count, 20);
  assert.ok(stats.correctedLatency.maxMs() >= stats.latency.minMs());
});

Deno.test("-o dumps every complete body, and only complete ones", async () => {
  let served = 0;
  const script: ConnectionScript = async (c) => {
    while (await c.readRequest() !== null) {
      const n = served++;
      if (n === 1) {
        await c.write("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\ncut");
        return;
      }
      await c.write(okResponse(`body${n};`));
    }
  };
  await using server = startScriptedServer(script);
  const path = await Deno.makeTempFile();
  const dump = DumpWriter.open(path, true);
  const { stats } = await hammer(server.port, { requests: 4, dump });
  dump.close();
  assertCounts(stats, { 200: 3 }, { read: 1 });
  assert.equal(await Deno.readTextFile(path), "body0;body2;body3;");
  await Deno.remove(path);
});

Deno.test("a POST is not resent when a kept-alive connection turns out closed", async () => {
  await using server = startScriptedServer(
    serveEach((_, n) => n === 2 ? null : okResponse("x")),
  );
  const { stats } = await hammer(server.port, {
    requests: 4,
    method: "POST",
    body: "once",
  });
  // The third POST reached a server that closed without answering.
  assertCounts(stats, { 200: 3 }, { read: 1 });
  assert.equal(server.requests.length, 4);
  assert.equal(server.accepted, 2);
});

Deno.test("the pacer's lateness does not pose as server latency", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse("x")));
  // A timer-driven pacer adds its ~1 ms lateness to every corrected
  // latency, every time; on a machine busy with other processes the bound
  // grows with how late timers run, and the run gets up to five tries.
  const tries: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const { stats } = await hammer(server.port, {
      requests: null,
      durationMs: 1000,
      rate: 2000,
      connections: 20,
    });
    assert.equal(stats.scheduled, 2000);
    assert.equal(stats.scheduleLag.count + stats.unsent, 2000);
    const gap = stats.correctedLatency.percentileMs(50) -
      stats.latency.percentileMs(50);
    const timerLate = await timerLatenessP50();
    if (gap <= Math.max(0.3, timerLate / 2)) return;
    tries.push(`${gap.toFixed(3)} ms (timers ${timerLate.toFixed(3)} ms late)`);
  }
  assert.fail(`corrected p50 above uncorrected by ${tries.join("; ")}`);
});

Deno.test("a server stall shows in corrected latency, not in uncorrected", async () => {
  // Answers at once, except that for one second it answers nothing.
  const began = performance.now();
  const stallFrom = 500;
  const stallTo = 1500;
  await using server = startScriptedServer(async (c) => {
    for (;;) {
      const request = await c.readRequest();
      if (request === null) return;
      const at = performance.now() - began;
      if (at >= stallFrom && at < stallTo) {
        await new Promise((resolve) => setTimeout(resolve, stallTo - at));
      }
      await c.write(okResponse("x"));
    }
  });
  const { stats } = await hammer(server.port, {
    requests: null,
    durationMs: 2500,
    rate: 200,
    connections: 4,
  });
  assertCounts(stats, { 200: stats.completed });
  assert.equal(stats.unsent, 0);
  // ~200 requests were due during the stall but only 4 connections were
  // free: the rest waited, which the corrected figures must show.
  assert.ok(stats.correctedLatency.percentileMs(99) >= 700);
  assert.ok(stats.latency.percentileMs(90) < 100);
  assert.ok(stats.scheduleLag.percentileMs(99) >= 500);
});

Deno.test("scheduled requests never sent are counted as unsent", async () => {
  await using server = startScriptedServer(async (c) => {
    for (;;) {
      if (await c.readRequest() === null) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
      await c.write(okResponse("x"));
    }
  });
  const { stats } = await hammer(server.port, {
    requests: null,
    durationMs: 1000,
    rate: 500,
    connections: 1,
  });
  assert.equal(stats.scheduled, 500);
  const sent = stats.scheduleLag.count;
  assert.ok(stats.unsent > 300, `unsent ${stats.unsent}`);
  assert.equal(sent + stats.unsent, 500);
  // Requests in flight at the end finish, so every sent one is counted.
  assert.equal(stats.issued, sent);
});

Deno.test("an unknown name in rate mode leaves the unsent requests unsent", async () => {
  const { stats } = await hammer(0, {
    url: "http://nosuchhost.invalid/",
    requests: 10,
    rate: 5,
  });
  assert.equal(stats.scheduled, 10);
  assert.equal(stats.errors.get("dns"), stats.issued);
  // Every scheduled request is either issued or unsent, never both.
  assert.equal(stats.issued + stats.unsent, stats.scheduled);
});

Deno.test("an interrupted open-loop run counts the requests it abandoned", async () => {
  // A server that never answers: every request sent is in flight at the stop.
  await using server = startScriptedServer(async (c) => {
    while (await c.readRequest() !== null) { /* never answer */ }
  });
  const run = loadRunFor(`http://127.0.0.1:${server.port}/x`, {
    connections: 20,
    requests: null,
    durationMs: 5000,
    rate: 20,
  });
  await run.prepare();
  const done = run.run();
  await new Promise((r) => setTimeout(r, 600));
  run.stop();
  const stats = await done;
  const sent = stats.scheduleLag.count;
  assert.ok(sent > 0);
  assert.ok(stats.abandoned > 0);
  assert.equal(sent, stats.completed + stats.errorCount + stats.abandoned);
});

Deno.test("load: stop() during start-up ends prepare() without opening connections", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse()));
  const run = loadRunFor(`http://127.0.0.1:${server.port}/x`, {
    connections: 3,
    requests: 3,
  });
  // Ctrl-C before (or while) the hosts are resolved and preconnected.
  run.stop();
  await run.prepare();
  const stats = await run.run();
  assert.equal(stats.connections, 0);
  assert.equal(stats.issued, 0);
  assert.equal(server.accepted, 0);
});
