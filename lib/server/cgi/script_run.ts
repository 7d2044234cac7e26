/**
 * One running CGI script: spawned as a plain child, its deadline counted
 * from the spawn, its stdout read piece by piece, and what it leaves
 * behind killed (see processes.ts).
 *
 * The output ends when the pipe closes, or, once the script has exited,
 * when the pipe has been quiet for {@linkcode OUTPUT_GRACE_MS}: a
 * background child that inherited stdout (`sleep 30 &`) would otherwise
 * hold the response open until the timeout. That leftover is then killed.
 *
 * @module
 */

import { logWarning } from "../../common/log.ts";
import {
  findPipeHolders,
  identifyScript,
  killAll,
  killDescendants,
  type ScriptIdentity,
} from "./processes.ts";
import { relayScriptStderr } from "./stderr.ts";

/**
 * How long the output of a script that has exited may stay quiet before
 * it counts as finished, in ms: what the script wrote before exiting is
 * already in the pipe, so only a leftover process can still add to it.
 */
export const OUTPUT_GRACE_MS = 100;

/** How the script is started. */
export interface ScriptSpawn {
  /** The script's path on disk. */
  path: string;
  /** Its working directory. */
  cwd: string;
  /** Its whole environment. */
  env: Record<string, string>;
  /** Whether it gets a body on stdin (else stdin is /dev/null). */
  stdin: boolean;
  /** The name it is logged under (its `SCRIPT_NAME`). */
  name: string;
  /** Milliseconds it may run from its spawn before it is killed. */
  limitMs: number;
}

/** How a script ended, for the log. */
export function exitText(status: Deno.CommandStatus): string {
  return status.signal !== null
    ? `was killed by ${status.signal}`
    : `exited with code ${status.code}`;
}

type ReadResult = ReadableStreamReadResult<Uint8Array>;

const END: ReadResult = { done: true, value: undefined };
const EXITED = Symbol("exited");
/** What {@linkcode within} gives when its time ran out first. */
export const QUIET: unique symbol = Symbol("quiet");
const noop = () => {};

/** Resolves to what `p` gives, or to {@linkcode QUIET} after `ms`. */
export async function within<T>(
  p: Promise<T>,
  ms: number,
): Promise<T | typeof QUIET> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const quiet = new Promise<typeof QUIET>((resolve) => {
    timer = setTimeout(() => resolve(QUIET), ms);
  });
  try {
    return await Promise.race([p, quiet]);
  } finally {
    clearTimeout(timer);
  }
}

// Scripts still running, killed if spidey exits before they end.
const liveRuns = new Set<ScriptRun>();
let unloadHooked = false;

/** A spawned script. */
export class ScriptRun {
  /** The name it is logged under. */
  readonly name: string;
  /** The process. */
  readonly child: Deno.ChildProcess;
  /** Milliseconds it may run from its spawn. */
  readonly limitMs: number;
  /**
   * Resolves when the script has exited and its output is over (read to
   * its end, or its holders killed): the run no longer uses anything.
   */
  readonly finished: Promise<void>;
  /** True once the deadline passed and the script was killed. */
  timedOut = false;
  /**
   * True once its header block was accepted: from then on a failed exit is
   * logged here, before that the caller explains the failure itself.
   */
  relaying = false;
  #identity: ScriptIdentity;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #pending: Promise<ReadResult> | null = null;
  #exit: Promise<typeof EXITED>;
  #exited = false;
  #killed = false;
  #outputDone = false;
  #outputSettled!: () => void;
  #timer: ReturnType<typeof setTimeout>;

  /**
   * Spawns a script. Not detached: a detached spawn forks the whole server
   * (its cost grows with the heap), a plain one does not.
   *
   * @throws what `Deno.Command.spawn` throws when it cannot be run.
   */
  static spawn(spec: ScriptSpawn): ScriptRun {
    const child = new Deno.Command(spec.path, {
      args: [],
      cwd: spec.cwd,
      env: spec.env,
      clearEnv: true,
      stdin: spec.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new ScriptRun(child, spec.name, spec.limitMs);
  }

  /** Watches `child`, which was spawned just now. */
  constructor(child: Deno.ChildProcess, name: string, limitMs: number) {
    this.child = child;
    this.name = name;
    this.limitMs = limitMs;
    this.#identity = identifyScript(child.pid);
    this.#reader = child.stdout.getReader();
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.kill();
    }, limitMs);
    if (!unloadHooked) {
      unloadHooked = true;
      globalThis.addEventListener("unload", () => {
        for (const run of liveRuns) run.kill();
      });
    }
    liveRuns.add(this);
    this.#exit = child.status.then(() => {
      this.#exited = true;
      return EXITED;
    });
    const outputSettled = new Promise<void>((resolve) => {
      this.#outputSettled = resolve;
    });
    this.finished = Promise.all([child.status, outputSettled]).then(
      ([status]) => {
        clearTimeout(this.#timer);
        liveRuns.delete(this);
        if (!status.success && this.relaying && !this.#killed) {
          logWarning(`CGI ${name}: ${exitText(status)}`);
        }
      },
    );
    relayScriptStderr(child.stderr, name);
  }

  /** The next piece of stdout, or null at its end. */
  async read(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.#outputDone) return null;
      const pending = this.#pending ??= this.#reader.read().catch(() => END);
      const result = this.#exited
        ? await within(pending, OUTPUT_GRACE_MS)
        : await Promise.race([pending, this.#exit]);
      if (this.#outputDone) return null; // Killed meanwhile.
      if (result === EXITED) continue;
      if (result === QUIET) {
        this.#outputDone = true;
        logWarning(
          `CGI ${this.name}: exited, but a process it started kept its output open; that process is killed`,
        );
        this.#killHolders();
        return null;
      }
      this.#pending = null;
      if (result.done) {
        this.#outputDone = true;
        this.#outputSettled();
        return null;
      }
      return result.value;
    }
  }

  /**
   * Kills the script and its descendants and stops reading its output;
   * a process that still holds the output after that is killed too.
   */
  kill(): void {
    if (this.#killed) return;
    this.#killed = true;
    clearTimeout(this.#timer);
    if (!this.#exited) {
      killDescendants(this.child.pid, () => this.#signal("SIGSTOP"));
    }
    this.#signal("SIGKILL");
    if (this.#outputDone) return;
    this.#outputDone = true;
    this.#awaitOutputEnd();
  }

  #signal(sig: Deno.Signal): void {
    try {
      this.child.kill(sig);
    } catch {
      // Already exited.
    }
  }

  /** After a kill: the pipe closes at once unless someone else holds it. */
  async #awaitOutputEnd(): Promise<void> {
    const until = performance.now() + 2 * OUTPUT_GRACE_MS;
    for (;;) {
      const left = until - performance.now();
      if (left <= 0) break;
      this.#pending ??= this.#reader.read().catch(() => END);
      const result = await within(this.#pending, left);
      if (result === QUIET) break;
      this.#pending = null;
      if (result.done) {
        this.#outputSettled();
        return;
      }
    }
    await this.#killHolders();
  }

  async #killHolders(): Promise<void> {
    try {
      killAll(await findPipeHolders(this.#identity));
    } finally {
      this.#reader.cancel().catch(noop);
      this.#outputSettled();
    }
  }
}
