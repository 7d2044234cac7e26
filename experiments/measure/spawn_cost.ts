/**
 * Measures what starting one process costs with `Deno.Command`: the
 * price a classic forking server (a process per connection) pays before
 * it reads the first byte, which spidey's modes avoid (`-f` serves every
 * connection on one event loop, `-w N` starts its workers once). Starts
 * `true` and a Deno script that only reports its resident memory, each
 * `--runs` times one after another, and writes the median, range and
 * memory to `spawn_cost.csv`.
 *
 * Usage: deno run -A experiments/measure/spawn_cost.ts --out FILE
 *          [--runs N] [--deno-runs N]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { runCli, StudyError } from "../data/errors.ts";
import { type SpawnCost, writeSpawnCostCsv } from "../data/spawn_cost.ts";
import { UNPINNED } from "./cpu_pinning.ts";

/** The child Deno program: prints its resident set size in bytes. */
const NOOP_SCRIPT = "console.log(Deno.memoryUsage().rss);\n";

/** Wall times (ms) of `runs` starts of `command`, and the last stdout. */
async function time(
  command: string,
  args: readonly string[],
  runs: number,
): Promise<{ ms: number[]; stdout: string }> {
  const ms: number[] = [];
  let stdout = "";
  // One unmeasured start first, so page cache and binary loading are warm.
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command(command, {
        args: [...args],
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).output();
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new StudyError("TOOL_MISSING", `${command} is not installed`);
      }
      throw err;
    }
    const elapsed = performance.now() - started;
    if (!out.success) {
      throw new StudyError(
        "TOOL_MISSING",
        `${command} exited with status ${out.code}`,
      );
    }
    if (i > 0) ms.push(elapsed);
    stdout = new TextDecoder().decode(out.stdout);
  }
  return { ms, stdout };
}

/** The middle value of `values` (the mean of the two middle ones). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function costOf(
  program: string,
  ms: readonly number[],
  rssBytes: number,
): SpawnCost {
  const round = (v: number) => Number(v.toFixed(3));
  return {
    program,
    runs: ms.length,
    median_ms: round(median(ms)),
    min_ms: round(Math.min(...ms)),
    max_ms: round(Math.max(...ms)),
    rss_mib: round(rssBytes / 2 ** 20),
    cpus: UNPINNED,
    timestamp: new Date().toISOString(),
  };
}

/** Starts `true` and a Deno no-op script and returns their costs. */
export async function measureSpawnCost(
  runs: number,
  denoRuns: number,
): Promise<SpawnCost[]> {
  const plain = await time("true", [], runs);
  const dir = Deno.makeTempDirSync({ prefix: "spawn-cost-" });
  try {
    const script = `${dir}/noop.js`;
    Deno.writeTextFileSync(script, NOOP_SCRIPT);
    const deno = await time(
      Deno.execPath(),
      ["run", "--quiet", "--no-config", "--no-lock", script],
      denoRuns,
    );
    const rss = Number(deno.stdout.trim());
    return [
      costOf("true", plain.ms, 0),
      costOf("deno", deno.ms, Number.isFinite(rss) ? rss : 0),
    ];
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

function count(text: string | undefined, fallback: number, flag: string) {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new StudyError(
      "USAGE",
      `${flag} must be a whole number from 1 to 10000`,
    );
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      out: { type: "string" },
      runs: { type: "string" },
      "deno-runs": { type: "string" },
    },
  });
  if (values.out === undefined) {
    throw new StudyError("USAGE", "Missing --out FILE");
  }
  const rows = await measureSpawnCost(
    count(values.runs, 200, "--runs"),
    count(values["deno-runs"], 30, "--deno-runs"),
  );
  writeSpawnCostCsv(values.out, rows);
  for (const r of rows) {
    console.error(
      `${r.program}: median ${r.median_ms} ms over ${r.runs} starts`,
    );
  }
}

if (import.meta.main) await runCli("spawn_cost", main);
