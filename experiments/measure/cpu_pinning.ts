/**
 * Pinning servers and the load generator to CPUs with `taskset`, so that
 * on a 2-core machine a single-process server owns CPU 0 and thor owns
 * CPU 1 instead of the scheduler moving them onto each other. Without
 * taskset or with one CPU everything runs unpinned, and the CSV says so.
 * `bench/*.sh` follow the same rule through `bench_cli.ts can-pin`.
 *
 * @module
 */

import type { CommandLine } from "../../lib/common/self_command.ts";

/** The CPU list recorded for an unpinned process. */
export const UNPINNED = "any";

/** True when `taskset` runs here and there are two CPUs or more. */
export async function canPin(): Promise<boolean> {
  if (navigator.hardwareConcurrency < 2) return false;
  try {
    const out = await new Deno.Command("taskset", {
      args: ["-c", "0", "true"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * `command args` run on `cpus` (a taskset list such as `0` or `0,1`)
 * when pinning is on; taskset execs the command, so the child's PID is
 * the command's own and a signal to it reaches the program.
 */
export function pinned(
  pin: boolean,
  cpus: string,
  command: string,
  args: readonly string[],
): CommandLine {
  if (!pin) return { command, args: [...args] };
  return { command: "taskset", args: ["-c", cpus, command, ...args] };
}

/** The CPU list to record for a process asked to run on `cpus`. */
export function recordedCpus(pin: boolean, cpus: string): string {
  return pin ? cpus : UNPINNED;
}
