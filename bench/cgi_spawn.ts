/**
 * What starting a CGI script costs the server, for each way spidey could
 * start it so that what the script leaves behind can still be killed:
 *
 * - `plain`: `Deno.Command` without `detached`, the script in spidey's own
 *   process group (what spidey does);
 * - `plain + /proc`: the same, plus naming the script's stdout pipe
 *   through /proc (one readlink), which spidey needs to find leftovers;
 * - `setsid`: through `/usr/bin/setsid`, which gives the script a session
 *   and process group of its own by one more exec;
 * - `detached`: `detached: true`, for which Deno forks the whole server.
 *
 * For each, the time `spawn()` blocks the event loop and the time until
 * the script has exited, medians over many runs; then again with a larger
 * heap, since a fork copies the page tables of all of it.
 *
 * Usage: deno run -A bench/cgi_spawn.ts [--runs N] [--heap-mb MB]
 * (not part of `deno bench`: it needs a growing heap between rounds)
 *
 * @module
 */

import { parseArgs } from "node:util";
import { identifyScript } from "../lib/server/cgi/processes.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "60" },
    "heap-mb": { type: "string", default: "300" },
  },
});
const RUNS = Number(values.runs);
const HEAP_MB = Number(values["heap-mb"]);

const dir = await Deno.makeTempDir({ prefix: "cgi-spawn-" });
const script = `${dir}/hello.sh`;
await Deno.writeTextFile(
  script,
  "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhello'\n",
);
await Deno.chmod(script, 0o755);

interface Way {
  name: string;
  command: string;
  args: string[];
  detached: boolean;
  identify: boolean;
}

const WAYS: Way[] = [
  {
    name: "plain",
    command: script,
    args: [],
    detached: false,
    identify: false,
  },
  {
    name: "plain + /proc",
    command: script,
    args: [],
    detached: false,
    identify: true,
  },
  {
    name: "setsid",
    command: "/usr/bin/setsid",
    args: [script],
    detached: false,
    identify: false,
  },
  {
    name: "detached",
    command: script,
    args: [],
    detached: true,
    identify: false,
  },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}

/** One spawn of `way`: how long spawn() blocked, and until the exit. */
async function once(way: Way): Promise<{ block: number; total: number }> {
  const t0 = performance.now();
  const child = new Deno.Command(way.command, {
    args: way.args,
    cwd: dir,
    env: { PATH: "/usr/bin:/bin" },
    clearEnv: true,
    detached: way.detached,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (way.identify) identifyScript(child.pid);
  const t1 = performance.now();
  const out = await child.output();
  const t2 = performance.now();
  if (!new TextDecoder().decode(out.stdout).endsWith("hello")) {
    throw new Error(`${way.name}: unexpected output`);
  }
  return { block: t1 - t0, total: t2 - t0 };
}

async function round(label: string): Promise<void> {
  const block = WAYS.map((): number[] => []);
  const total = WAYS.map((): number[] => []);
  // The ways take turns, so a noisy moment of the machine hits them alike;
  // the first turns warm up.
  for (let i = 0; i < RUNS + 5; i++) {
    for (const [w, way] of WAYS.entries()) {
      const t = await once(way);
      if (i < 5) continue;
      block[w]!.push(t.block);
      total[w]!.push(t.total);
    }
  }
  console.log(`\n${label}`);
  console.log(
    `${"way".padEnd(16)} ${"spawn() blocks".padStart(15)} ${
      "until exit".padStart(12)
    }`,
  );
  for (const [w, way] of WAYS.entries()) {
    console.log(
      `${way.name.padEnd(16)} ${
        (median(block[w]!).toFixed(2) + " ms").padStart(15)
      } ${(median(total[w]!).toFixed(2) + " ms").padStart(12)}`,
    );
  }
}

try {
  await round("heap as it is");
  // Ballast the way a busy server holds memory: many live objects.
  const ballast: Uint8Array[] = [];
  for (let i = 0; i < HEAP_MB; i++) {
    ballast.push(new Uint8Array(1 << 20).fill(i & 255));
  }
  await round(`with ${HEAP_MB} MB more resident memory`);
  console.log(`\n(medians of ${RUNS} runs; ballast ${ballast.length} MB)`);
} finally {
  await Deno.remove(dir, { recursive: true });
}
