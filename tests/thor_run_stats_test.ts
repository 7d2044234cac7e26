import assert from "node:assert/strict";
import {
  ERROR_CLASSES,
  type ErrorClass,
  isErrorClass,
  RunStats,
  WireFormatError,
} from "../lib/thor/run_stats.ts";

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CODES = [200, 201, 204, 301, 304, 400, 404, 500, 503];

/** Records `n` random outcomes, a few of them errors. */
function randomRun(seed: number, n: number, corrected = false): RunStats {
  const r = prng(seed);
  const stats = new RunStats();
  for (let i = 0; i < n; i++) {
    if (r() < 0.05) {
      stats.recordError(
        ERROR_CLASSES[Math.floor(r() * ERROR_CLASSES.length)] ?? "read",
      );
    } else {
      const latency = 0.1 + r() ** 3 * 40;
      stats.recordResponse(
        CODES[Math.floor(r() * CODES.length)] ?? 200,
        latency,
        Math.floor(r() * 2000),
        corrected ? latency + r() * 10 : undefined,
      );
    }
  }
  return stats;
}

function totalOf(map: Map<unknown, number>): number {
  let sum = 0;
  for (const n of map.values()) sum += n;
  return sum;
}

Deno.test("issued is completed plus errors after any sequence of records", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const stats = randomRun(seed, 5_000 * seed);
    assert.equal(stats.issued, 5_000 * seed);
    assert.equal(stats.issued, stats.completed + stats.errorCount);
    assert.equal(stats.completed, totalOf(stats.status));
    assert.equal(stats.errorCount, totalOf(stats.errors));
    assert.equal(stats.latency.count, stats.completed);
  }
  const empty = new RunStats();
  assert.equal(empty.issued, 0);
  assert.equal(empty.completed, 0);
  assert.equal(empty.errorCount, 0);
});

Deno.test("issued can only grow through recordResponse and recordError", () => {
  const stats = new RunStats();
  assert.throws(() => {
    (stats as unknown as { issued: number }).issued = 5;
  }, TypeError);
  stats.recordResponse(200, 1, 10);
  stats.recordError("timeout");
  assert.equal(stats.issued, 2);
});

Deno.test("recordResponse counts status, bytes and latency", () => {
  const stats = new RunStats();
  stats.recordResponse(200, 1.5, 100);
  stats.recordResponse(200, 2.5, 150);
  stats.recordResponse(404, 0.5, 50);
  assert.deepEqual([...stats.status], [[200, 2], [404, 1]]);
  assert.equal(stats.bytes, 300);
  assert.equal(stats.latency.count, 3);
  assert.equal(stats.latency.minMs(), 0.5);
  assert.equal(stats.latency.maxMs(), 2.5);
  assert.equal(stats.correctedLatency.count, 0);
});

Deno.test("ok counts 2xx and 3xx only", () => {
  const stats = new RunStats();
  for (const code of [100, 199, 200, 204, 299, 300, 304, 399, 400, 404, 500]) {
    stats.recordResponse(code, 1, 0);
  }
  assert.equal(stats.completed, 11);
  assert.equal(stats.ok, 6);
});

Deno.test("every error class starts at zero and counts separately", () => {
  const stats = new RunStats();
  assert.deepEqual([...stats.errors.keys()], [...ERROR_CLASSES]);
  assert.ok([...stats.errors.values()].every((n) => n === 0));
  stats.recordError("connect");
  stats.recordError("connect");
  stats.recordError("protocol");
  assert.equal(stats.errors.get("connect"), 2);
  assert.equal(stats.errors.get("protocol"), 1);
  assert.equal(stats.errors.get("dns"), 0);
  assert.equal(stats.errorCount, 3);
  assert.equal(stats.latency.count, 0);
});

Deno.test("an unknown error class or bad latency is refused without counting", () => {
  const stats = new RunStats();
  assert.throws(() => stats.recordError("oops" as ErrorClass), RangeError);
  assert.throws(() => stats.recordResponse(200, NaN, 10), RangeError);
  assert.throws(() => stats.recordResponse(200, 1, 10, Infinity), RangeError);
  assert.equal(stats.issued, 0);
  assert.equal(stats.bytes, 0);
  assert.equal(stats.latency.count, 0);
  assert.equal(stats.correctedLatency.count, 0);
  assert.equal(stats.status.size, 0);
  assert.ok(isErrorClass("tls"));
  assert.ok(!isErrorClass("oops"));
});

Deno.test("corrected latency is recorded only when given", () => {
  const stats = new RunStats();
  stats.recordResponse(200, 1, 10);
  stats.recordResponse(200, 2, 10, 7);
  assert.equal(stats.latency.count, 2);
  assert.equal(stats.correctedLatency.count, 1);
  assert.equal(stats.correctedLatency.maxMs(), 7);
});

Deno.test("merge sums counts and takes the longest elapsed time", () => {
  const a = randomRun(11, 3_000, true);
  a.elapsedMs = 1_000;
  a.connections = 10;
  const b = randomRun(12, 2_000, true);
  b.elapsedMs = 1_500;
  b.connections = 7;
  const expected = {
    issued: a.issued + b.issued,
    completed: a.completed + b.completed,
    ok: a.ok + b.ok,
    errors: a.errorCount + b.errorCount,
    bytes: a.bytes + b.bytes,
    status200: (a.status.get(200) ?? 0) + (b.status.get(200) ?? 0),
    connect: (a.errors.get("connect") ?? 0) + (b.errors.get("connect") ?? 0),
    max: Math.max(a.latency.maxMs(), b.latency.maxMs()),
    corrected: a.correctedLatency.count + b.correctedLatency.count,
  };
  a.merge(b);
  assert.equal(a.issued, expected.issued);
  assert.equal(a.completed, expected.completed);
  assert.equal(a.ok, expected.ok);
  assert.equal(a.errorCount, expected.errors);
  assert.equal(a.bytes, expected.bytes);
  assert.equal(a.status.get(200), expected.status200);
  assert.equal(a.errors.get("connect"), expected.connect);
  assert.equal(a.latency.count, expected.completed);
  assert.equal(a.latency.maxMs(), expected.max);
  assert.equal(a.correctedLatency.count, expected.corrected);
  assert.equal(a.elapsedMs, 1_500);
  assert.equal(a.connections, 17);
  assert.equal(a.processes, 2);
  assert.equal(a.issued, a.completed + a.errorCount);
});

Deno.test("merged() totals parts without counting an extra process", () => {
  const parts = [randomRun(21, 500), randomRun(22, 600), randomRun(23, 700)];
  const total = RunStats.merged(parts);
  assert.equal(total.processes, 3);
  assert.equal(total.issued, 1_800);
  assert.equal(total.latency.count, total.completed);
  assert.equal(RunStats.merged([]).processes, 0);
});

Deno.test("toWire is one line of JSON that fromWire reads back exactly", () => {
  const stats = randomRun(31, 4_000, true);
  stats.elapsedMs = 2_345.678;
  stats.connections = 50;
  const line = stats.toWire();
  assert.ok(!/[\r\n]/.test(line));
  assert.equal(typeof JSON.parse(line), "object");
  const back = RunStats.fromWire(line);
  assert.equal(back.issued, stats.issued);
  assert.equal(back.bytes, stats.bytes);
  assert.deepEqual(
    [...back.status].sort((x, y) => x[0] - y[0]),
    [...stats.status].sort((x, y) => x[0] - y[0]),
  );
  assert.deepEqual([...back.errors], [...stats.errors]);
  assert.equal(back.elapsedMs, 2_345.678);
  assert.equal(back.connections, 50);
  assert.equal(back.processes, 1);
  for (
    const [got, want] of [
      [back.latency, stats.latency],
      [back.correctedLatency, stats.correctedLatency],
    ] as const
  ) {
    assert.equal(got.count, want.count);
    assert.equal(got.minMs(), want.minMs());
    assert.equal(got.maxMs(), want.maxMs());
    assert.equal(got.meanMs(), want.meanMs());
    assert.equal(got.percentileMs(99.9), want.percentileMs(99.9));
  }
  assert.equal(RunStats.fromWire(new RunStats().toWire()).issued, 0);
});

Deno.test("stats from real child processes merge like stats made here", async () => {
  const config = new URL("../deno.json", import.meta.url).pathname;
  const module = new URL("../lib/thor/run_stats.ts", import.meta.url).href;
  const childRun = async (seed: number): Promise<string> => {
    // The child records the same deterministic outcomes randomRun does.
    const code = `
      import { ERROR_CLASSES, RunStats } from ${JSON.stringify(module)};
      ${prng.toString()}
      const CODES = ${JSON.stringify(CODES)};
      ${randomRun.toString()}
      const stats = randomRun(${seed}, 3000, true);
      stats.elapsedMs = ${seed * 100};
      stats.connections = ${seed};
      console.log(stats.toWire());
    `;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", config, code],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout).trim();
  };
  const lines = await Promise.all([childRun(41), childRun(42)]);
  const total = RunStats.merged(lines.map((line) => RunStats.fromWire(line)));
  const local = RunStats.merged([
    randomRun(41, 3000, true),
    randomRun(42, 3000, true),
  ]);
  assert.equal(total.processes, 2);
  assert.equal(total.connections, 41 + 42);
  assert.equal(total.elapsedMs, 4_200);
  assert.equal(total.issued, 6_000);
  assert.equal(total.issued, local.issued);
  assert.equal(total.completed, local.completed);
  assert.equal(total.bytes, local.bytes);
  assert.deepEqual([...total.errors], [...local.errors]);
  assert.equal(total.latency.count, local.latency.count);
  for (const p of [0, 50, 90, 99, 99.9, 100]) {
    assert.equal(total.latency.percentileMs(p), local.latency.percentileMs(p));
    assert.equal(
      total.correctedLatency.percentileMs(p),
      local.correctedLatency.percentileMs(p),
    );
  }
});

Deno.test("fromWire refuses bad input with a clear sentence-case error", () => {
  const good = JSON.parse(randomRun(51, 200).toWire()) as Record<
    string,
    unknown
  >;
  const variant = (change: Record<string, unknown>) =>
    JSON.stringify({ ...good, ...change });
  const cases: Array<[string, string, RegExp]> = [
    ["", "BAD_STATS_LINE", /not valid JSON/],
    ["{nope", "BAD_STATS_LINE", /not valid JSON/],
    ["[1,2]", "BAD_STATS_LINE", /JSON object/],
    ["null", "BAD_STATS_LINE", /JSON object/],
    [variant({ v: 2 }), "BAD_STATS_LINE", /version/],
    [variant({ bytes: -1 }), "BAD_STATS_LINE", /"bytes"/],
    [variant({ connections: 1.5 }), "BAD_STATS_LINE", /"connections"/],
    [variant({ processes: "1" }), "BAD_STATS_LINE", /"processes"/],
    [variant({ elapsedMs: -3 }), "BAD_STATS_LINE", /"elapsedMs"/],
    [variant({ status: [] }), "BAD_STATS_LINE", /"status"/],
    [variant({ status: { "2000": 1 } }), "BAD_STATS_LINE", /status code/],
    [variant({ status: { "abc": 1 } }), "BAD_STATS_LINE", /status code/],
    [variant({ errors: { oops: 1 } }), "BAD_STATS_LINE", /error class/],
    [variant({ errors: { dns: -1 } }), "BAD_STATS_LINE", /errors dns/],
    [variant({ issued: Number(good.issued) + 1 }), "BAD_STATS_LINE", /issued/],
    [variant({ latency: 5 }), "BAD_STATS_LINE", /"latency"/],
    [variant({ latency: "h1 0" }), "BAD_HISTOGRAM", /histogram/],
    [
      variant({ latency: new RunStats().latency.serialize() }),
      "BAD_STATS_LINE",
      /samples/,
    ],
  ];
  for (const [line, code, pattern] of cases) {
    assert.throws(
      () => RunStats.fromWire(line),
      (error: unknown) => {
        assert.ok(error instanceof WireFormatError, line);
        assert.equal(error.code, code, line);
        assert.match(error.message, /^[A-Z]/);
        assert.match(error.message, pattern, line);
        return true;
      },
    );
  }
});

Deno.test("schedule lag and the scheduled count travel on the wire and merge", () => {
  const part = (scheduled: number, lags: number[]) => {
    const stats = new RunStats();
    stats.scheduled = scheduled;
    for (const lag of lags) stats.scheduleLag.recordMs(lag);
    return RunStats.fromWire(stats.toWire());
  };
  const a = part(5, [0.01, 0.02, 0.5]);
  assert.equal(a.scheduled, 5);
  assert.equal(a.scheduleLag.count, 3);
  assert.equal(a.scheduleLag.maxMs(), 0.5);
  assert.equal(a.unsent, 2);
  const total = RunStats.merged([a, part(4, [0.01, 0.01, 0.01, 3])]);
  assert.equal(total.scheduled, 9);
  assert.equal(total.scheduleLag.count, 7);
  assert.equal(total.scheduleLag.maxMs(), 3);
  assert.equal(total.unsent, 2);
  // A line from a run without a schedule (older children) still reads.
  const plain = JSON.parse(new RunStats().toWire());
  delete plain.scheduleLag;
  delete plain.scheduled;
  assert.equal(RunStats.fromWire(JSON.stringify(plain)).scheduled, 0);
  assert.throws(
    () => RunStats.fromWire(JSON.stringify({ ...plain, scheduled: -1 })),
    /"scheduled" must be a non-negative integer/,
  );
});
