/**
 * `--hdr-out` and `thor merge` end to end: one run split over two real
 * thor processes (as if on two machines) merges to exactly what
 * RunStats.merged makes of the same parts, and a bad file is one line and
 * exit status 2.
 */

import assert from "node:assert/strict";
import { mergeStatsFiles } from "../lib/thor/merge.ts";
import {
  decodeStatsFile,
  encodeStatsFile,
} from "../lib/thor/output/stats_file.ts";
import { summaryJson } from "../lib/thor/report.ts";
import { RunStats } from "../lib/thor/run_stats.ts";
import {
  okResponse,
  serveEach,
  startScriptedServer,
} from "./helpers/scripted_server.ts";
import { runProgram } from "./helpers/socket_modes.ts";

/** Runs thor with `args` to its end. */
const thor = (args: string[]) => runProgram("thor", args);

Deno.test("a run split over two thor processes merges exactly", async () => {
  await using server = startScriptedServer(
    serveEach((_req, n) =>
      n % 5 === 4
        ? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        : okResponse("merged")
    ),
  );
  const dir = await Deno.makeTempDir();
  const url = `http://127.0.0.1:${server.port}/m`;
  const [a, b] = await Promise.all(["a", "b"].map((name, i) =>
    thor([
      "-r",
      String(30 + i * 7),
      "-c",
      "2",
      "--json",
      "--hdr-out",
      `${dir}/${name}.json`,
      url,
    ])
  ));
  assert.equal(a?.code, 0, a?.stderr);
  assert.equal(b?.code, 0, b?.stderr);
  const parts = ["a", "b"].map((name) =>
    decodeStatsFile(Deno.readTextFileSync(`${dir}/${name}.json`))
  );
  // Each file holds what its run printed.
  assert.equal(parts[0]?.stats.issued, 30);
  assert.equal(parts[1]?.stats.issued, 37);
  assert.deepEqual(
    summaryJson(parts[0]!.stats, parts[0]!.meta),
    JSON.parse(a!.stdout),
  );

  const merged = await thor([
    "merge",
    `${dir}/a.json`,
    `${dir}/b.json`,
    "--json",
    "--csv",
    `${dir}/m.csv`,
    "--html",
    `${dir}/m.html`,
  ]);
  assert.equal(merged.code, 0, merged.stderr);
  assert.equal(merged.stderr, "");
  const direct = RunStats.merged(parts.map((p) => p.stats));
  const summary: Record<string, unknown> = JSON.parse(merged.stdout);
  assert.deepEqual(
    summary,
    summaryJson(direct, { ...parts[0]!.meta, processes: 2 }),
  );
  assert.equal(summary.requests, 67);
  assert.equal(summary.processes, 2);
  assert.ok((direct.status.get(404) ?? 0) > 0);
  assert.equal(direct.completed, 67);
  const csv = Deno.readTextFileSync(`${dir}/m.csv`).trim().split("\n");
  const total = csv.slice(1).reduce(
    (n, row) => n + Number(row.split(",")[1]),
    0,
  );
  assert.equal(total, 67);
  assert.match(Deno.readTextFileSync(`${dir}/m.html`), /<svg /);

  const text = await thor(["merge", `${dir}/a.json`, `${dir}/b.json`]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /issued\s+67/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("thor merge refuses a bad file in one line with status 2", async () => {
  const dir = await Deno.makeTempDir();
  const cases: Array<[string, RegExp]> = [
    [
      JSON.stringify({ format: "thor-stats", version: 99 }),
      /: Stats file version 99 is not supported \(this thor reads version 1\)$/,
    ],
    [JSON.stringify({ hello: 1 }), /: Not a thor stats file/],
    [
      JSON.stringify({ format: "thor-stats", version: 1, meta: {}, stats: {} }),
      /: Stats file meta needs url and method strings$/,
    ],
    ["not json", /: Stats file is not valid JSON$/],
  ];
  for (const [content, message] of cases) {
    await Deno.writeTextFile(`${dir}/bad.json`, content);
    const result = await thor(["merge", `${dir}/bad.json`]);
    assert.equal(result.code, 2, content);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.ok(lines[0]!.startsWith(`thor merge: ${dir}/bad.json: `));
    assert.match(lines[0]!, message);
  }
  const missing = await thor(["merge", `${dir}/none.json`]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^thor merge: Cannot read .*none\.json: /);
  const usage = await thor(["merge"]);
  assert.equal(usage.code, 2);
  assert.equal(
    usage.stderr,
    "thor merge: thor merge needs at least one stats file. Try 'thor merge -h' for help.\n",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("merge keeps interrupted and targets, and refuses mixed modes", async () => {
  const targets = [{ method: "GET", url: "http://a/", weight: 3 }];
  const base = {
    url: "t.txt",
    method: "GET",
    processes: 1,
    connectionsPerProcess: 1,
    mode: "count" as const,
  };
  const a = decodeStatsFile(
    encodeStatsFile(new RunStats(), { ...base, interrupted: true, targets }),
  );
  const b = decodeStatsFile(
    encodeStatsFile(new RunStats(), { ...base, targets }),
  );
  assert.equal(a.meta.interrupted, true);
  assert.deepEqual(a.meta.targets, targets);
  const merged = mergeStatsFiles([a, b]);
  assert.equal(merged.meta.interrupted, true);
  assert.deepEqual(merged.meta.targets, targets);
  assert.equal(merged.note, null);
  // Different target lists: their per-target figures do not add up.
  const other = decodeStatsFile(encodeStatsFile(new RunStats(), {
    ...base,
    targets: [{ method: "GET", url: "http://b/", weight: 1 }],
  }));
  assert.match(mergeStatsFiles([a, other]).note ?? "", /different targets/);
  assert.equal(mergeStatsFiles([a, other]).meta.targets, undefined);

  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/a.json`,
      encodeStatsFile(new RunStats(), base),
    );
    await Deno.writeTextFile(
      `${dir}/b.json`,
      encodeStatsFile(new RunStats(), { ...base, mode: "rate", rate: 5 }),
    );
    const result = await thor(["merge", `${dir}/a.json`, `${dir}/b.json`]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^thor merge: Cannot merge runs of different modes/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
