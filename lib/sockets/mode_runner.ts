/**
 * The start and end every socket mode shares: `-h` prints the help and
 * exits 0; a server also sets up the program's logging first and flushes
 * it however it ends.
 *
 * @module
 */

import { flushLogs, setupLogging } from "../common/log.ts";

/** Reads a mode's arguments; null means `-h`. */
export type ModeArgsParser<T> = (args: readonly string[]) => T | null;

/**
 * Parses `args` with `parse` and runs the mode, or prints `help` and
 * resolves to 0 for `-h`; otherwise resolves to what `run` does.
 *
 * @throws {UsageError} from `parse` for bad flags or values.
 */
export async function runWithHelp<T>(
  args: readonly string[],
  parse: ModeArgsParser<T>,
  help: string,
  run: (options: T) => Promise<number>,
): Promise<number> {
  const options = parse(args);
  if (options === null) {
    console.log(help);
    return 0;
  }
  return await run(options);
}

/**
 * A server mode: run as part of `program` (`args` after its flag), it
 * serves until `serve` returns (on SIGINT or SIGTERM), like
 * {@linkcode runWithHelp}, with logging for `program` set up from the
 * `verbose` option and flushed even when `serve` throws. Resolves to 0.
 */
export function serverMode<T extends { verbose: boolean }>(
  parse: ModeArgsParser<T>,
  help: string,
  serve: (options: T) => Promise<void>,
): (args: readonly string[], program: string) => Promise<number> {
  return (args, program) =>
    runWithHelp(args, parse, help, async (options) => {
      await setupLogging({ app: program, verbose: options.verbose });
      try {
        await serve(options);
        return 0;
      } finally {
        flushLogs();
      }
    });
}
