/**
 * The one error class of the study pipeline. Every step (files, servers,
 * thor runs, CSV, charts, report) fails with a {@linkcode StudyError}
 * whose message is one sentence a person can act on; the command-line
 * entry points print it as one line and exit non-zero. It lives in
 * `data/`, the stage that measure/ and report/ both build on.
 *
 * @module
 */

/** Stable identifiers of the ways the study can fail. */
export type StudyErrorCode =
  | "USAGE"
  | "NO_DISK_SPACE"
  | "TOOL_MISSING"
  | "SERVER_START_FAILED"
  | "PORT_UNAVAILABLE"
  | "THOR_FAILED"
  | "CSV_SYNTAX"
  | "CSV_SCHEMA"
  | "NO_DATA"
  | "GNUPLOT_FAILED";

/** A step of the study could not do its job. */
export class StudyError extends Error {
  /** A stable identifier for the kind of failure. */
  readonly code: StudyErrorCode;

  /** Creates an error with a sentence-case `message`. */
  constructor(code: StudyErrorCode, message: string) {
    super(message);
    this.name = "StudyError";
    this.code = code;
  }
}

/**
 * Runs a command-line `main`, turning a {@linkcode StudyError} into one
 * line on stderr and exit status 1 (2 for usage mistakes, including the
 * option errors of `parseArgs`); anything else is a bug and keeps its
 * stack trace.
 */
export async function runCli(
  program: string,
  main: () => Promise<void>,
): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof StudyError) {
      console.error(`${program}: error: ${err.message}`);
      Deno.exit(err.code === "USAGE" ? 2 : 1);
    }
    // node:util parseArgs rejects unknown or malformed options this way.
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      console.error(`${program}: error: ${(err as Error).message}`);
      Deno.exit(2);
    }
    throw err;
  }
}
