/**
 * The parent side of `thor -p N`: start N copies of thor as `--child`
 * processes, wait until all have connected, start them together, follow
 * their progress, and merge the `RunStats` each sends back.
 *
 * @module
 */

import { logDebug } from "../common/log.ts";
import type { CommandLine } from "../common/self_command.ts";
import { SupervisedChild } from "../common/supervisor.ts";
import {
  CHILD_FLAG,
  CHILD_LINES,
  childOptions,
  encodeChildOptions,
} from "./child.ts";
import type { FailureNote } from "./load.ts";
import type { ThorOptions } from "./options.ts";
import { type ErrorClass, isErrorClass, RunStats } from "./run_stats.ts";

/** What the children of a `-p` run measured, merged. */
export interface ProcessesOutcome {
  /** Every child's stats merged. */
  stats: RunStats;
  /** The last failure any child reported. */
  lastError: FailureNote | null;
  /** One line per child that ended without results. */
  failures: string[];
  /** True when SIGINT stopped the children early. */
  interrupted: boolean;
}

/** Live totals across children, for the progress line. */
export interface ChildrenProgress {
  /** Requests ended so far. */
  done: number;
  /** Requests failed so far. */
  errors: number;
}

/** Logs (with `-v`) the classic line for a thor process that ended. */
export function logTerminated(pid: number, status: number): void {
  logDebug(`Process ${pid} terminated with exit status ${status}`);
}

/** One child process and what it has said. */
class ChildHandle {
  readonly child: SupervisedChild;
  done = 0;
  errors = 0;
  stats: RunStats | null = null;
  lastError: FailureNote | null = null;
  problem: string | null = null;

  constructor(
    options: string,
    command: ((args: readonly string[]) => CommandLine) | undefined,
  ) {
    this.child = SupervisedChild.spawn({
      args: [CHILD_FLAG],
      options,
      readyLine: CHILD_LINES.ready,
      onLine: (line) => this.#take(line),
      ...(command === undefined ? {} : { command }),
    });
  }

  /** Waits for the child's output to end and for its exit. */
  async finish(): Promise<Deno.CommandStatus> {
    const status = await this.child.wait();
    const broken = this.child.outputError;
    if (broken !== null && this.stats === null) {
      this.problem = `sent unreadable output (${broken.message})`;
    }
    return status;
  }

  #take(line: string): void {
    const space = line.indexOf(" ");
    const kind = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? "" : line.slice(space + 1);
    if (kind === CHILD_LINES.progress) {
      const [done, errors] = rest.split(" ").map(Number);
      this.done = done ?? this.done;
      this.errors = errors ?? this.errors;
    } else if (kind === CHILD_LINES.error) {
      const cut = rest.indexOf(" ");
      const cls = rest.slice(0, cut);
      if (cut > 0 && isErrorClass(cls)) {
        this.lastError = {
          cls: cls as ErrorClass,
          message: rest.slice(cut + 1),
        };
      }
    } else if (kind === CHILD_LINES.stats) {
      try {
        this.stats = RunStats.fromWire(rest);
      } catch (err) {
        this.problem = `sent unreadable results (${
          err instanceof Error ? err.message : String(err)
        })`;
      }
    }
  }
}

/**
 * Runs `options.processes` children and merges their results. Stops them
 * early (`stop` line) on SIGINT.
 */
export async function runProcesses(
  options: ThorOptions,
  onStart: (progress: () => ChildrenProgress) => void = () => {},
  command?: (args: readonly string[]) => CommandLine,
): Promise<ProcessesOutcome> {
  const handles: ChildHandle[] = [];
  try {
    for (let i = 0; i < options.processes; i++) {
      const line = encodeChildOptions(childOptions(options, i));
      handles.push(new ChildHandle(line, command));
    }
  } catch (err) {
    for (const h of handles) h.child.kill("SIGKILL");
    throw err;
  }
  await Promise.all(handles.map((h) => h.child.ready));
  await Promise.all(handles.map((h) => h.child.send(CHILD_LINES.go)));
  onStart(() => {
    let done = 0;
    let errors = 0;
    for (const h of handles) {
      done += h.done;
      errors += h.errors;
    }
    return { done, errors };
  });
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    for (const h of handles) h.child.send(CHILD_LINES.stop);
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const failures: string[] = [];
  try {
    await Promise.all(handles.map(async (h) => {
      const status = await h.finish();
      logTerminated(h.child.pid, status.code);
      if (h.stats === null) {
        failures.push(
          `Process ${h.child.pid} ${
            h.problem ?? `exited with status ${status.code} without results`
          }`,
        );
      }
    }));
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
  const parts = handles.flatMap((h) => h.stats === null ? [] : [h.stats]);
  let lastError: FailureNote | null = null;
  for (const h of handles) lastError = h.lastError ?? lastError;
  return { stats: RunStats.merged(parts), lastError, failures, interrupted };
}
