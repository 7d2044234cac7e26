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
    return status.signal === null ? status.code : 128 + 2;
  } finally {
    Deno.removeSignalListener("SIGINT", ignore);
  }
}
