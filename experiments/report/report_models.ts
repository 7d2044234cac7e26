/**
 * The "Server models" section: what each of spidey's modes is, how it
 * maps to the classic forking server (a process per connection) that
 * Deno cannot build, and what a process per connection would cost here,
 * from the process start-up times in `spawn_cost.csv` set against the
 * request latencies of `study.csv`.
 *
 * @module
 */

import type { SpawnCost } from "../data/spawn_cost.ts";
import {
  CONCURRENT,
  latencyLevels,
  point,
  type ReportData,
} from "./report_data.ts";
import { fmt, fmtRatio, table } from "./report_format.ts";

const MODES = table(["mode", "what runs", "classic counterpart"], [
  [
    "single-connection (no flag)",
    "one process accepts a connection, answers one request, closes it, then accepts the next",
    "the iterative server: no fork at all; a forking server's parent without the fork",
  ],
  [
    "concurrent (`-f`)",
    "one process, one event loop; every connection is a task on that loop",
    "replaces fork-per-connection with asynchronous I/O: same concurrency, one address space, no process start per connection",
  ],
  [
    "multi-process (`-w N`)",
    "N worker processes started once at launch, each an event loop like `-f`, sharing the port (SO_REUSEPORT); the kernel spreads connections over them",
    "the pre-forking server (processes made before the connections arrive), not fork-per-connection",
  ],
]);

function spawnOf(data: ReportData, program: string): SpawnCost | undefined {
  return data.spawn.find((s) => s.program === program);
}

/** The Server models section. */
export function modelsSection(data: ReportData): string {
  let text = `## Server models

The assignment compares a single-connection server with a forking one. Deno has no \`fork()\`: a Deno program can only start a new program (\`Deno.Command\`), not copy itself with its open connection. spidey therefore offers three modes, and none of them starts a process per connection:

${MODES}

`;
  const plain = spawnOf(data, "true");
  const deno = spawnOf(data, "deno");
  if (plain === undefined) {
    return text +
      "_The cost of starting a process was not measured: run `experiments/measure/spawn_cost.ts --out results/spawn_cost.csv`._\n";
  }
  text +=
    `**What a process per connection would cost.** Started ${plain.runs} times one after another with \`Deno.Command\`, \`true\` took a median ${
      fmt(plain.median_ms)
    } ms from spawn to exit (${fmt(plain.min_ms)}–${fmt(plain.max_ms)} ms).`;
  if (deno !== undefined) {
    text += ` A Deno script that does nothing but report its memory took ${
      fmt(deno.median_ms)
    } ms (${fmt(deno.min_ms)}–${fmt(deno.max_ms)} ms, ${deno.runs} starts)${
      deno.rss_mib > 0 ? ` and held ${fmt(deno.rss_mib)} MiB resident` : ""
    }.`;
  }
  const low = latencyLevels(data)[0];
  const stat = low === undefined
    ? undefined
    : point(data, "latency", CONCURRENT, "small", low);
  if (stat !== undefined) {
    text +=
      ` A whole static ${stat.sizeLabel} request in concurrent mode took ${
        fmt(stat.latMean.mean)
      } ms with ${low} client, so starting even the smallest program per connection would multiply the cost of a one-request connection by about ${
        fmtRatio((stat.latMean.mean + plain.median_ms) / stat.latMean.mean)
      }${
        deno !== undefined
          ? `, and starting a Deno handler by about ${
            fmtRatio((stat.latMean.mean + deno.median_ms) / stat.latMean.mean)
          }`
          : ""
      }.`;
  }
  text +=
    ` The measurement ran once, unpinned, on the same shared machine as the study; a C server's bare \`fork()\` copies the parent's page tables instead of loading a program, so it would pay less than the \`true\` figure; these are what a Deno server pays for the nearest thing it has.

**What that changes in the results.** A forking server pays the start-up once per connection: with keep-alive it is spread over the connection's requests, without it (as in single-connection mode, which closes after every response) it lands on every request. It isolates connections: a crash or a blocking handler takes down one connection, where in \`-f\` it stalls or ends all of them and in \`-w N\` those of one worker. It costs memory per connection (one process each, at least the resident size above for a Deno process), where \`-f\` uses one process and \`-w N\` uses N. spidey's CGI requests are the one place it does start a process per request, so their latency shows that cost in the study's own data (see Analysis).
`;
  return text;
}
