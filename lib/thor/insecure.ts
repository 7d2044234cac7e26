/**
 * `thor -k`: Deno has no per-connection switch to skip certificate checks
 * (`Deno.startTls` only takes extra CA certificates), only the runtime
 * flag `--unsafely-ignore-certificate-errors`. So a `-k` thor runs itself
 * again under deno with that flag, and gives its `-p` children the flag
 * too. A compiled thor cannot take runtime flags: there `-k` is refused.
 *
 * @module
 */

import { UsageError } from "../common/flags.ts";
import {
  type CommandLine,
  currentRuntimeFacts,
  selfCommand,
} from "../common/self_command.ts";

/** Set in the environment of a thor that runs with checks off. */
export const CHECKS_OFF_ENV = "THOR_CERT_CHECKS_OFF";
/** The deno flag that turns certificate checks off (for every host). */
export const IGNORE_FLAG = "--unsafely-ignore-certificate-errors";

/** `line` (a `deno run` command) with certificate checks off. */
export function withChecksOff(line: CommandLine): CommandLine {
  const [first, ...rest] = line.args;
  if (first !== "run") return line;
  return { command: line.command, args: ["run", IGNORE_FLAG, ...rest] };
}

/** True when this process already runs with certificate checks off. */
export function checksAreOff(): boolean {
  return Deno.env.get(CHECKS_OFF_ENV) === "1";
}

// Signal numbers as on Linux, for the shell's 128 + n exit status.
const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

/**
 * The exit status a shell reports for a child that exited with `code` or
 * was ended by `signal`: 128 + the signal's number (130 for SIGINT, 143
 * for SIGTERM, 137 for SIGKILL); 1 for a signal this table lacks.
 */
export function exitStatusOf(
  status: { code: number; signal: string | null },
): number {
  if (status.signal === null) return status.code;
  const n = SIGNAL_NUMBERS[status.signal];
  return n === undefined ? 1 : 128 + n;
}

/**
 * True when a `-k` run needs certificate checks off: some target is
 * https (an http-only run is not re-run).
 */
export function needsChecksOff(urls: readonly { scheme: string }[]): boolean {
  return urls.some((url) => url.scheme === "https");
}

/** The command line of a `-p` child of a `-k` run. */
export function insecureChildCommand(args: readonly string[]): CommandLine {
  return withChecksOff(selfCommand(currentRuntimeFacts(), args));
}

/**
 * Runs thor again with `args` and certificate checks off, with this
 * process's stdio; resolves to its exit status.
 *
 * @throws {UsageError} in a compiled thor.
 */
export async function rerunWithChecksOff(
  args: readonly string[],
): Promise<number> {
  const facts = currentRuntimeFacts();
  if (facts.standalone) {
    throw new UsageError(
      "-k needs thor run by deno; a compiled thor cannot skip certificate checks, use --cacert FILE",
    );
  }
  const line = withChecksOff(selfCommand(facts, args));
  const child = new Deno.Command(line.command, {
    args: line.args,
    env: { [CHECKS_OFF_ENV]: "1" },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C reaches both processes; this one waits for the other's report.
  const ignore = () => {};
  Deno.addSignalListener("SIGINT", ignore);
  try {
    const status = await child.status;
    return exitStatusOf(status);
  } finally {
    Deno.removeSignalListener("SIGINT", ignore);
  }
}
