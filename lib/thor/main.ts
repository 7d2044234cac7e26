/**
 * thor's program: read the command line, run the load in this process or
 * across `-p` child processes, then dump the single response or print the
 * report.
 *
 * @module
 */

import { UsageError } from "../common/flags.ts";
import { flushLogs, setupLogging } from "../common/log.ts";
import { describeError } from "../common/net.ts";
import { isChildCall, readChildOptions, runChild } from "./child.ts";
import { DumpWriter } from "./dump.ts";
import { type FailureNote, LoadRun, logAverageElapsed } from "./load.ts";
import {
  parseThorArgs,
  runMode,
  THOR_HELP,
  type ThorOptions,
} from "./options.ts";
import {
  checksAreOff,
  insecureChildCommand,
  needsChecksOff,
  rerunWithChecksOff,
} from "./insecure.ts";
import { MERGE_COMMAND, runMerge } from "./merge.ts";
import { checkReportFiles, emitReport } from "./output/report_files.ts";
import { loadPlanFor, plannedTotal } from "./plan.ts";
import { logTerminated, runProcesses } from "./processes.ts";
import { ProgressLine } from "./progress.ts";
import { type ReportMeta, targetsMeta } from "./report.ts";
import type { RunStats } from "./run_stats.ts";

/** How a run ended, before it is printed. */
interface RunOutcome {
  stats: RunStats;
  lastError: FailureNote | null;
  failures: string[];
  /** True when SIGINT (Ctrl-C) ended the run early. */
  interrupted: boolean;
}

/** Exit status of a run that SIGINT cut short (128 + 2, as shells do). */
const INTERRUPTED_STATUS = 130;

/** Runs thor with `args`; resolves to the exit status. */
export async function runThor(args: readonly string[]): Promise<number> {
  if (args[0] === MERGE_COMMAND) return runMerge(args.slice(1));
  let options: ThorOptions;
  try {
    // A `-p` child's options come from its parent, on stdin.
    const command = isChildCall(args)
      ? { kind: "run" as const, options: await readChildOptions() }
      : parseThorArgs(args);
    if (command.kind === "help") {
      console.log(THOR_HELP);
      return 0;
    }
    options = command.options;
    if (!options.child) checkReportFiles(options);
    if (
      options.insecure && !options.child && !checksAreOff() &&
      needsChecksOff(
        options.targets?.map((t) => t.url) ?? [options.url],
      )
    ) {
      return await rerunWithChecksOff(args);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`thor: ${err.message}. Try 'thor -h' for help.`);
      return 2;
    }
    throw err;
  }
  await setupLogging({ app: "thor", verbose: options.verbose });
  try {
    if (options.child) return await runChild(options);
    const status = await runParent(options);
    // With -p N the parent logs each child's exit; here this process ran.
    if (options.processes === 1) logTerminated(Deno.pid, status);
    return status;
  } catch (err) {
    console.error(`thor: ${describeError(err)}`);
    if (!options.child && options.processes === 1) logTerminated(Deno.pid, 1);
    return 1;
  } finally {
    flushLogs();
  }
}

/** True when the run is the classic single request whose response is shown. */
function showsSingleResponse(options: ThorOptions): boolean {
  return runMode(options) === "count" && plannedTotal(options) === 1 &&
    !options.json && options.output === null && options.csv === null &&
    options.html === null && options.hdrOut === null;
}

async function runParent(options: ThorOptions): Promise<number> {
  const single = showsSingleResponse(options);
  const total = plannedTotal(options);
  const progress = new ProgressLine({
    enabled: Deno.stderr.isTerminal() && !options.verbose && !single,
  });
  let outcome: RunOutcome;
  try {
    outcome = options.processes > 1
      ? await runInChildren(options, progress, total)
      : await runHere(options, progress, total, single);
  } finally {
    progress.stop();
  }
  const { stats, lastError, failures } = outcome;
  // A child stopped early (its own Ctrl-C, its parent link gone) says so in
  // its stats.
  const interrupted = outcome.interrupted || stats.interrupted;
  if (!single) {
    const meta: ReportMeta = {
      url: options.url.input,
      method: options.method,
      processes: options.processes,
      connectionsPerProcess: options.connections,
      mode: runMode(options),
      ...(options.rate === null ? {} : { rate: options.rate }),
      ...(interrupted ? { interrupted } : {}),
      ...targetsMeta(options.targets, options.targetsFile),
    };
    emitReport(stats, meta, options);
  }
  const failed = stats.errorCount;
  if (failed > 0 && lastError !== null) {
    const what = single
      ? "Request failed"
      : `${failed} of ${stats.issued} requests failed; last`;
    console.error(`thor: ${what} (${lastError.cls}): ${lastError.message}`);
  }
  for (const failure of failures) console.error(`thor: ${failure}`);
  if (interrupted) return INTERRUPTED_STATUS;
  if (stats.issued === 0 && failures.length === 0) {
    // A run whose every request was still in flight when it ended measured
    // nothing, which is not a completed run.
    console.error("thor: No request finished before the run ended");
    return 1;
  }
  return failed > 0 || failures.length > 0 ? 1 : 0;
}

async function runHere(
  options: ThorOptions,
  progress: ProgressLine,
  total: number | undefined,
  single: boolean,
): Promise<RunOutcome> {
  const dump = single
    ? DumpWriter.stdout(true)
    : options.output === null
    ? null
    : DumpWriter.open(options.output, true);
  const run = new LoadRun(loadPlanFor(options, dump));
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    run.stats.interrupted = true;
    run.stop();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    await run.prepare();
    progress.start(() => ({
      done: run.stats.issued,
      errors: run.stats.errorCount,
      elapsedMs: run.elapsedMs,
      ...(total === undefined ? {} : { total }),
    }));
    await run.run();
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    dump?.close();
  }
  if (options.verbose) logAverageElapsed(run.stats);
  return {
    stats: run.stats,
    lastError: run.lastError,
    failures: [],
    interrupted,
  };
}

async function runInChildren(
  options: ThorOptions,
  progress: ProgressLine,
  total: number | undefined,
): Promise<RunOutcome> {
  let startedAt = 0;
  return await runProcesses(options, (snapshot) => {
    startedAt = performance.now();
    progress.start(() => ({
      ...snapshot(),
      elapsedMs: performance.now() - startedAt,
      ...(total === undefined ? {} : { total }),
    }));
  }, options.insecure ? insecureChildCommand : undefined);
}
