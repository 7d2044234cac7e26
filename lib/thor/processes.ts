/**
 * The parent side of `thor -p N`: start N copies of thor as `--child`
 * processes, wait until all have connected, start them together, follow
 * their progress, and merge the `RunStats` each sends back.
 *
 * @module
 */

import { logDebug } from "../common/log.ts";
import {
  type CommandLine,
  currentRuntimeFacts,
  selfCommand,
} from "../common/self_command.ts";
import { CHILD_LINES } from "./child.ts";
import { LineReader, streamChunks } from "./line_reader.ts";
import type { FailureNote } from "./load.ts";
import { childArgs, type ThorOptions } from "./options.ts";
import { type ErrorClass, isErrorClass, RunStats } from "./run_stats.ts";

/** What the children of a `-p` run measured, merged. */
export interface ProcessesOutcome {
  /** Every child's stats merged. */
  stats: RunStats;
  /** The last failure any child reported. */
  lastError: FailureNote | null;
  /** One line per child that ended without results. */
  failures: string[];
}

/** Live totals across children, for the progress line. */
export interface ChildrenProgress {
  /** Requests ended so far. */
  done: number;
  /** Requests failed so far. */
  errors: number;
}

const encoder = new TextEncoder();

/** One child process and what it has said. */
class ChildHandle {
  readonly child: Deno.ChildProcess;
  readonly #lines: LineReader;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  done = 0;
  errors = 0;
  stats: RunStats | null = null;
  lastError: FailureNote | null = null;
  problem: string | null = null;

  constructor(line: CommandLine) {
    this.child = new Deno.Command(line.command, {
      args: line.args,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#lines = new LineReader(streamChunks(this.child.stdout));
    this.#stdin = this.child.stdin.getWriter();
  }

  /** True once the child said it is ready; false if it ended first. */
  async ready(): Promise<boolean> {
    for (;;) {
      const line = await this.#lines.line();
      if (line === null) return false;
      if (line === CHILD_LINES.ready) return true;
    }
  }

  /** Sends a control line; a child that is gone is ignored. */
  async send(line: string): Promise<void> {
    try {
      await this.#stdin.write(encoder.encode(`${line}\n`));
    } catch { /* the child has exited */ }
  }

  /** Reads the child's lines until it ends, then waits for its exit. */
  async finish(): Promise<Deno.CommandStatus> {
    for (;;) {
      const line = await this.#lines.line();
      if (line === null) break;
      this.#take(line);
    }
    const status = await this.child.status;
    try {
      await this.#stdin.close();
    } catch { /* already closed */ }
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
  command: (args: string[]) => CommandLine = (args) =>
    selfCommand(currentRuntimeFacts(), args),
): Promise<ProcessesOutcome> {
  const line = command(childArgs(options));
  const handles: ChildHandle[] = [];
  try {
    for (let i = 0; i < options.processes; i++) {
      handles.push(new ChildHandle(line));
    }
  } catch (err) {
    for (const h of handles) h.child.kill("SIGKILL");
    throw err;
  }
  await Promise.all(handles.map((h) => h.ready()));
  await Promise.all(handles.map((h) => h.send(CHILD_LINES.go)));
  onStart(() => {
    let done = 0;
    let errors = 0;
    for (const h of handles) {
      done += h.done;
      errors += h.errors;
    }
    return { done, errors };
  });
  const onInterrupt = () => {
    for (const h of handles) h.send(CHILD_LINES.stop);
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const failures: string[] = [];
  try {
    await Promise.all(handles.map(async (h) => {
      const status = await h.finish();
      logDebug(
        `Process ${h.child.pid} terminated with exit status ${status.code}`,
      );
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
  return { stats: RunStats.merged(parts), lastError, failures };
}
