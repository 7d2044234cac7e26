/**
 * The child side of `thor -p`: connect, say `ready`, wait for the parent's
 * `go` so that every process starts measuring at once, run, and report
 * the results as one `RunStats` wire line on stdout.
 *
 * Lines a child writes: `ready`, `progress DONE ERRORS` (a few times a
 * second), `error CLASS MESSAGE` (its last failure, if any), then
 * `stats WIRE`. Lines it reads: `go`, then `stop` (or end of input) to end
 * early.
 *
 * @module
 */

import { isVerbose } from "../common/log.ts";
import { DumpWriter } from "./dump.ts";
import { LineReader, readerChunks } from "./line_reader.ts";
import { LoadRun, logAverageElapsed } from "./load.ts";
import type { ThorOptions } from "./options.ts";
import { loadPlanFor } from "./plan.ts";

/** Control lines between a `-p` parent and its children. */
export const CHILD_LINES = {
  ready: "ready",
  go: "go",
  stop: "stop",
  progress: "progress",
  error: "error",
  stats: "stats",
} as const;

const encoder = new TextEncoder();

function writeLine(line: string): void {
  const bytes = encoder.encode(`${line}\n`);
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

/** Runs this process as a `-p` child; resolves to its exit status. */
export async function runChild(options: ThorOptions): Promise<number> {
  const dump = options.output === null
    ? null
    : DumpWriter.open(options.output, false);
  const run = new LoadRun(loadPlanFor(options, dump));
  await run.prepare();
  writeLine(CHILD_LINES.ready);
  const control = new LineReader(readerChunks(Deno.stdin));
  if (await control.line() !== CHILD_LINES.go) {
    // The parent gave up before the start: report an empty run.
    writeLine(`${CHILD_LINES.stats} ${run.stats.toWire()}`);
    return 0;
  }
  (async () => {
    for (;;) {
      const line = await control.line();
      if (line === null || line === CHILD_LINES.stop) break;
    }
    run.stop();
  })();
  const onInterrupt = () => run.stop();
  Deno.addSignalListener("SIGINT", onInterrupt);
  const ticker = setInterval(() => {
    writeLine(
      `${CHILD_LINES.progress} ${run.stats.issued} ${run.stats.errorCount}`,
    );
  }, 250);
  try {
    await run.run();
  } finally {
    clearInterval(ticker);
    Deno.removeSignalListener("SIGINT", onInterrupt);
    dump?.close();
  }
  if (run.lastError !== null) {
    writeLine(
      `${CHILD_LINES.error} ${run.lastError.cls} ${run.lastError.message}`,
    );
  }
  if (isVerbose()) logAverageElapsed(run.stats);
  writeLine(`${CHILD_LINES.stats} ${run.stats.toWire()}`);
  return run.stats.errorCount > 0 ? 1 : 0;
}
