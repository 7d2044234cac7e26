/**
 * Copies of this program that it starts and supervises itself (`spidey -w`
 * workers, `thor -p` children), seen from both ends.
 *
 * The parent starts a copy with a marker flag and a control pipe on its
 * stdin. The first line on that pipe is the copy's options as JSON (so no
 * command line has to be rebuilt from parsed options); program-specific
 * control lines may follow, and the end of the pipe tells the copy that
 * its parent is gone. The copy prints a ready line on stdout when it is
 * ready, then program-specific lines; the parent reads its stdout to the
 * end, so a chatty copy never blocks on a full pipe.
 *
 * @module
 */

import {
  type LineSource,
  LineTooLongError,
  streamSource,
  TextLineReader,
} from "./line_reader.ts";
import {
  type CommandLine,
  currentRuntimeFacts,
  selfCommand,
} from "./self_command.ts";

/** Longest line a parent accepts from a copy's stdout, by default. */
export const OUTPUT_LINE_LIMIT = 16 * 1024 * 1024;
/** Longest options line a copy accepts (it may carry a request body). */
export const OPTIONS_LINE_LIMIT = 256 * 1024 * 1024;
/** Time a stopped copy gets between SIGTERM and SIGKILL, by default. */
export const STOP_GRACE_MS = 10_000;

const encoder = new TextEncoder();

/** What to start and how to talk to it. */
export interface ChildSpec {
  /** The copy's arguments: its marker flag, such as `--child`. */
  args: readonly string[];
  /** The copy's options: one line (JSON), sent first on its control pipe. */
  options: string;
  /** The line the copy prints on stdout once it is ready. */
  readyLine: string;
  /**
   * Called with each stdout line after the ready line (lines before it
   * are skipped). Without it, the lines are read and dropped.
   */
  onLine?: (line: string) => void;
  /** Longest stdout line accepted, in bytes. */
  maxLineBytes?: number;
  /** Builds the command line from `args` (tests start another program). */
  command?: (args: readonly string[]) => CommandLine;
}

/** The command line that runs this program again with `args`. */
function selfCommandLine(args: readonly string[]): CommandLine {
  return selfCommand(currentRuntimeFacts(), args);
}

/** A copy of this program started by {@linkcode SupervisedChild.spawn}. */
export class SupervisedChild {
  /** The copy's process id. */
  readonly pid: number;
  /** True once the ready line came; false if stdout ended before it. */
  readonly ready: Promise<boolean>;
  /** The copy's exit status. */
  readonly status: Promise<Deno.CommandStatus>;
  /** Resolves once the copy's stdout has been read to its end. */
  readonly outputEnded: Promise<void>;
  readonly #process: Deno.ChildProcess;
  readonly #control: WritableStreamDefaultWriter<Uint8Array>;
  #outputError: Error | null = null;

  private constructor(spec: ChildSpec) {
    checkLine(spec.options);
    const line = (spec.command ?? selfCommandLine)(spec.args);
    this.#process = new Deno.Command(line.command, {
      args: line.args,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.pid = this.#process.pid;
    this.status = this.#process.status;
    this.#control = this.#process.stdin.getWriter();
    let resolveReady: (ready: boolean) => void = () => {};
    this.ready = new Promise((resolve) => resolveReady = resolve);
    this.outputEnded = this.#readOutput(spec, resolveReady);
    // The copy reads this before anything else; a copy that died first
    // shows as not ready and by its status.
    void this.send(spec.options);
  }

  /**
   * Starts a copy and sends it its options.
   *
   * @throws when the program cannot be started at all.
   */
  static spawn(spec: ChildSpec): SupervisedChild {
    return new SupervisedChild(spec);
  }

  /**
   * Why reading the copy's stdout stopped before its end (a line over
   * the limit, a failed read, an `onLine` that threw), or null. The rest
   * of the output was still drained.
   */
  get outputError(): Error | null {
    return this.#outputError;
  }

  async #readOutput(
    spec: ChildSpec,
    resolveReady: (ready: boolean) => void,
  ): Promise<void> {
    const source = streamSource(this.#process.stdout);
    const lines = new TextLineReader(
      source,
      spec.maxLineBytes ?? OUTPUT_LINE_LIMIT,
    );
    let ready = false;
    try {
      for (;;) {
        const line = await lines.readLine();
        if (line === null) break;
        if (ready) spec.onLine?.(line);
        else if (line === spec.readyLine) {
          ready = true;
          resolveReady(true);
        }
      }
    } catch (err) {
      this.#outputError = err instanceof Error ? err : new Error(String(err));
      const scratch = new Uint8Array(16_384);
      try {
        while (await source.read(scratch) !== null) { /* drop */ }
      } catch { /* the pipe is gone */ }
    } finally {
      resolveReady(false);
    }
  }

  /**
   * Sends one control line (without its LF); resolves to false when the
   * copy no longer reads them (it has exited).
   */
  async send(line: string): Promise<boolean> {
    checkLine(line);
    try {
      await this.#control.write(encoder.encode(`${line}\n`));
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the control pipe: the copy sees its parent gone. */
  async closeControl(): Promise<void> {
    try {
      await this.#control.close();
    } catch { /* already closed, or the copy is gone */ }
  }

  /** Sends `signal` (SIGKILL by default); a copy that is gone is ignored. */
  kill(signal: Deno.Signal = "SIGKILL"): void {
    try {
      this.#process.kill(signal);
    } catch { /* already exited */ }
  }

  /**
   * Stops the copy: SIGTERM, then SIGKILL if it still runs after
   * `graceMs`. Resolves to its exit status.
   */
  async stop(graceMs: number = STOP_GRACE_MS): Promise<Deno.CommandStatus> {
    this.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), graceMs);
    try {
      return await this.status;
    } finally {
      clearTimeout(timer);
      await this.closeControl();
    }
  }

  /**
   * Waits until the copy's output has ended and it has exited, then
   * closes its control pipe. Resolves to its exit status.
   */
  async wait(): Promise<Deno.CommandStatus> {
    await this.outputEnded;
    const status = await this.status;
    await this.closeControl();
    return status;
  }
}

function checkLine(line: string): void {
  if (line.includes("\n")) {
    throw new RangeError("A control line cannot contain a line feed");
  }
}

/** One line describing how a copy exited: `status 1` or `status 143 (SIGTERM)`. */
export function describeExit(status: Deno.CommandStatus): string {
  return `status ${status.code}${status.signal ? ` (${status.signal})` : ""}`;
}

/** Stable identifiers of a bad start of a copy. */
export type ParentLinkErrorCode = "NO_OPTIONS" | "BAD_OPTIONS";

/** The copy got no usable options line from its parent. */
export class ParentLinkError extends Error {
  /** A stable identifier for what was wrong. */
  readonly code: ParentLinkErrorCode;

  /** Creates the error with a sentence-case `message`. */
  constructor(code: ParentLinkErrorCode, message: string) {
    super(message);
    this.name = "ParentLinkError";
    this.code = code;
  }
}

/** Anything with `Deno.stdout`'s `writeSync`. */
export interface SyncByteSink {
  /** Writes some of `p`; returns the count written. */
  writeSync(p: Uint8Array): number;
}

/** The copy's end: its options, its lines to the parent, the parent's end. */
export class ParentLink {
  readonly #lines: TextLineReader;
  readonly #out: SyncByteSink;

  /** Reads the control pipe from `input` and writes lines to `output`. */
  constructor(
    input: LineSource = Deno.stdin,
    output: SyncByteSink = Deno.stdout,
  ) {
    this.#lines = new TextLineReader(input, OPTIONS_LINE_LIMIT);
    this.#out = output;
  }

  /**
   * Reads the options line (call it first) and returns its JSON value.
   *
   * @throws {ParentLinkError} `NO_OPTIONS` when the pipe ends first,
   *   `BAD_OPTIONS` when the line is too long or not JSON.
   */
  async readOptions(): Promise<unknown> {
    let line: string | null;
    try {
      line = await this.#lines.readLine();
    } catch (err) {
      if (!(err instanceof LineTooLongError)) throw err;
      throw new ParentLinkError(
        "BAD_OPTIONS",
        `The options from the parent are longer than ${err.limit} bytes`,
      );
    }
    if (line === null) {
      throw new ParentLinkError(
        "NO_OPTIONS",
        "No options came from the parent on stdin",
      );
    }
    try {
      return JSON.parse(line);
    } catch {
      throw new ParentLinkError(
        "BAD_OPTIONS",
        "The options from the parent are not valid JSON",
      );
    }
  }

  /**
   * The next control line; null once the parent is gone (the pipe ended
   * or broke: either way nobody will send another line).
   */
  async nextLine(): Promise<string | null> {
    try {
      return await this.#lines.readLine();
    } catch {
      return null;
    }
  }

  /** Calls `onGone` once the parent is gone, ignoring other lines. */
  whenGone(onGone: () => unknown): void {
    (async () => {
      while (await this.nextLine() !== null) { /* not for us */ }
      onGone();
    })();
  }

  /** Writes one line to the parent on stdout, whole. */
  send(line: string): void {
    const bytes = encoder.encode(`${line}\n`);
    let off = 0;
    while (off < bytes.length) off += this.#out.writeSync(bytes.subarray(off));
  }
}
