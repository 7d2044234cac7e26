/** thor's request phases: DNS, connect, TLS, time to first byte, total. */

import assert from "node:assert/strict";
import { generateLocalhostPair } from "../lib/server/tls/generate.ts";
import { LoadRun } from "../lib/thor/load.ts";
import { parseThorArgs, type ThorOptions } from "../lib/thor/options.ts";
import { loadPlanFor } from "../lib/thor/plan.ts";
import { formatTextReport, summaryJson } from "../lib/thor/report.ts";
import { RunStats } from "../lib/thor/run_stats.ts";
import {
  okResponse,
  serveEach,
  startScriptedServer,
} from "./helpers/scripted_server.ts";

function options(args: string[]): ThorOptions {
  const command = parseThorArgs(args);
  assert.equal(command.kind, "run");
  return command.options;
}

async function run(o: ThorOptions): Promise<RunStats> {
  const load = new LoadRun(loadPlanFor(o, null));
  await load.prepare();
  return await load.run();
}

const META = {
  url: "http://x/",
  method: "GET",
  processes: 1,
  connectionsPerProcess: 1,
  mode: "count" as const,
};

Deno.test("thor phases: one connect per connection, one ttfb per response", async () => {
  await using server = startScriptedServer(serveEach(() => okResponse()));
  const url = `http://127.0.0.1:${server.port}/`;
  const kept = await run(options(["-r", "12", "-c", "3", url]));
  assert.equal(kept.completed, 12);
  assert.equal(kept.connections, 3);
  assert.equal(kept.phases.connect.count, 3);
  assert.equal(kept.phases.tls.count, 0);
  // An IP literal needs no lookup.
  assert.equal(kept.phases.dns.count, 0);
  assert.equal(kept.phases.ttfb.count, 12);
  assert.ok(kept.phases.ttfb.maxMs() <= kept.latency.maxMs());
  assert.ok(kept.phases.ttfb.minMs() <= kept.latency.minMs());

  const fresh = await run(options(["-r", "5", "--no-keepalive", url]));
  assert.equal(fresh.connections, 5);
  assert.equal(fresh.phases.connect.count, 5);
  assert.equal(fresh.phases.ttfb.count, 5);
});

Deno.test("thor phases: ttfb ends at the head, total at the body's end", async () => {
  // The head goes at once, the body 60 ms later.
  await using server = startScriptedServer(async (c) => {
    while (await c.readRequest() !== null) {
      await c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
      await new Promise((r) => setTimeout(r, 60));
      await c.write("hello");
    }
  });
  const stats = await run(
    options(["-r", "3", `http://127.0.0.1:${server.port}/`]),
  );
  assert.equal(stats.completed, 3);
  assert.ok(stats.latency.minMs() >= 50, `total ${stats.latency.minMs()}`);
  assert.ok(
    stats.phases.ttfb.maxMs() < stats.latency.minMs() - 30,
    `ttfb ${stats.phases.ttfb.maxMs()} vs total ${stats.latency.minMs()}`,
  );
});

Deno.test("thor phases: https connections each count one TLS handshake", async () => {
  const pair = await generateLocalhostPair();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/ca.pem`, pair.cert);
    await using server = startScriptedServer(
      serveEach(() => okResponse()),
      pair,
    );
    const stats = await run(options([
      "-r",
      "6",
      "-c",
      "2",
      "--cacert",
      `${dir}/ca.pem`,
      `https://localhost:${server.port}/`,
    ]));
    assert.equal(stats.errorCount, 0);
    assert.equal(stats.connections, 2);
    assert.equal(stats.phases.connect.count, 2);
    assert.equal(stats.phases.tls.count, 2);
    assert.ok(stats.phases.tls.minMs() > 0);
    // localhost is loopback by definition: no lookup made.
    assert.equal(stats.phases.dns.count, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("thor phases travel on the wire, merge, and old lines still read", () => {
  const a = new RunStats();
  a.recordResponse(200, 4, 10);
  a.phases.ttfb.recordMs(1);
  a.phases.connect.recordMs(0.5);
  a.phases.dns.recordMs(2);
  a.connections = 1;
  const b = RunStats.fromWire(a.toWire());
  assert.equal(b.phases.ttfb.count, 1);
  assert.equal(b.phases.connect.maxMs(), 0.5);
  assert.equal(b.phases.dns.maxMs(), 2);
  const merged = RunStats.merged([a, b]);
  assert.equal(merged.phases.connect.count, 2);
  assert.equal(merged.phases.ttfb.count, 2);

  // A line from a thor without phases: accepted, phases empty.
  const old = JSON.parse(a.toWire());
  delete old.phases;
  const read = RunStats.fromWire(JSON.stringify(old));
  assert.equal(read.phases.ttfb.count, 0);
  assert.equal(read.completed, 1);

  const bad = { ...JSON.parse(a.toWire()), phases: { ttfb: 7 } };
  assert.throws(
    () => RunStats.fromWire(JSON.stringify(bad)),
    (err) =>
      err instanceof Error && "code" in err && err.code === "BAD_STATS_LINE",
  );
});

Deno.test("thor report: phases_ms in JSON and a Phases table in text", () => {
  const stats = new RunStats();
  stats.recordResponse(200, 3, 10);
  stats.recordResponse(200, 5, 10);
  stats.phases.ttfb.recordMs(1);
  stats.phases.ttfb.recordMs(2);
  stats.phases.connect.recordMs(0.25);
  stats.connections = 1;
  const json = summaryJson(stats, META);
  const phases = json.phases_ms as Record<string, Record<string, number>>;
  assert.deepEqual(Object.keys(phases), [
    "dns",
    "connect",
    "tls",
    "ttfb",
    "total",
  ]);
  assert.equal(phases.connect?.count, 1);
  assert.equal(phases.connect?.p50, 0.25);
  assert.equal(phases.dns?.count, 0);
  assert.equal(phases.ttfb?.max, 2);
  assert.equal(phases.total?.count, 2);
  assert.equal(phases.total?.max, 5);
  const text = formatTextReport(stats, META);
  assert.match(text, /\n {2}dns +0 +- +- +- +-\n/);
  assert.match(text, /\n {2}connect +1 +0\.250 +0\.250 +0\.250 +0\.250\n/);
  assert.match(text, /\n {2}total +2 +4\.000 +3\.00\d +5\.000 +5\.000\n/);
});
