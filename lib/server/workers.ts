/**
 * `spidey -w N`: a parent that starts N worker processes of spidey itself,
 * each listening on the same port with `reusePort` and serving
 * concurrently; it restarts a worker that dies, gives up on one that keeps
 * dying, and forwards shutdown. Also the worker's end: its config comes
 * from the parent as JSON on stdin (see `../common/supervisor.ts`).
 *
 * @module
 */

import { UsageError } from "../common/flags.ts";
import { logError, logInfo, logWarning } from "../common/log.ts";
import { probePort } from "../common/net.ts";
import type { CommandLine } from "../common/self_command.ts";
import {
  describeExit,
  ParentLink,
  ParentLinkError,
  STOP_GRACE_MS,
  SupervisedChild,
} from "../common/supervisor.ts";
import { DEFAULT_CONFIG, type ServerConfig } from "./core/config.ts";

/** The flag a worker starts with: it reads its config from stdin. */
export const WORKER_FLAG = "--worker-child";
/** The line a worker prints on stdout once it is listening. */
export const WORKER_READY_LINE = "spidey-worker-ready";
/** Exits of one slot within {@linkcode CRASH_WINDOW_MS} that are tolerated. */
export const MAX_RESTARTS = 5;
/** The window in which a slot's exits are counted. */
export const CRASH_WINDOW_MS = 10_000;

/** The config a worker of a `-w` parent runs with, on the probed `port`. */
export function workerConfig(config: ServerConfig, port: number): ServerConfig {
  return {
    ...config,
    port,
    mode: "concurrent",
    workers: 0,
    workerChild: true,
  };
}

/** The options line that carries `config` to a worker. */
export function encodeWorkerConfig(config: ServerConfig): string {
  return JSON.stringify(config);
}

/**
 * A worker's config from the JSON value of its options line: every field
 * of {@linkcode ServerConfig}, each of the type of its default.
 *
 * @throws {UsageError} when a field is missing or of the wrong type.
 */
export function decodeWorkerConfig(value: unknown): ServerConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(
      "The worker options from the parent are not an object",
    );
  }
  const fields = value as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  for (const [key, fallback] of Object.entries(DEFAULT_CONFIG)) {
    const field = fields[key];
    if (
      typeof field !== typeof fallback ||
      (Array.isArray(fallback) &&
        !(Array.isArray(field) && field.every((s) => typeof s === "string")))
    ) {
      throw new UsageError(
        `The worker option ${key} from the parent is missing or invalid`,
      );
    }
    config[key] = fields[key];
  }
  return config as unknown as ServerConfig;
}

/** A worker's end of its parent: its config, its ready line, the parent's end. */
export class WorkerLink {
  /** The config the parent sent. */
  readonly config: ServerConfig;
  readonly #parent: ParentLink;

  private constructor(parent: ParentLink, config: ServerConfig) {
    this.#parent = parent;
    this.config = config;
  }

  /**
   * Reads the worker's config from its parent.
   *
   * @throws {UsageError} when no valid config comes.
   */
  static async open(
    parent: ParentLink = new ParentLink(),
  ): Promise<WorkerLink> {
    try {
      return new WorkerLink(
        parent,
        decodeWorkerConfig(await parent.readOptions()),
      );
    } catch (err) {
      if (err instanceof ParentLinkError) throw new UsageError(err.message);
      throw err;
    }
  }

  /** Tells the parent this worker is listening. */
  sayReady(): void {
    this.#parent.send(WORKER_READY_LINE);
  }

  /**
   * Calls `stop` when the parent is gone (its end of the control pipe
   * closed): a worker must not outlive the supervisor that would stop it.
   */
  whenParentGone(stop: () => unknown): void {
    this.#parent.whenGone(stop);
  }
}

/** How a pool ended: stopped on request, or every worker given up on. */
export type PoolEnd = "stopped" | "gave-up";

/** A running `-w` parent. */
export interface WorkerPool {
  /** The port all workers share. */
  port: number;
  /** Process ids of the current workers. */
  pids(): number[];
  /** Stops every worker (SIGTERM, then SIGKILL after `graceMs`). */
  shutdown(graceMs?: number): Promise<void>;
  /** Resolves when the pool has ended, and how. */
  finished: Promise<PoolEnd>;
}

/**
 * Starts `config.workers` workers and supervises them: a worker that
 * exits is restarted, unless its slot already had more than
 * {@linkcode MAX_RESTARTS} exits in {@linkcode CRASH_WINDOW_MS}; once no
 * worker is left the pool ends as `"gave-up"`.
 *
 * @throws {UsageError} when a worker fails to start listening.
 */
export async function startWorkerPool(
  config: ServerConfig,
  command?: (args: readonly string[]) => CommandLine,
): Promise<WorkerPool> {
  const port = probePort(config.hostname, config.port);
  const options = encodeWorkerConfig(workerConfig(config, port));
  const slots: (SupervisedChild | null)[] = new Array(config.workers).fill(
    null,
  );
  const exits: number[][] = slots.map(() => []);
  let stopping = false;
  // Until every worker has started, a death is a failed start, not a crash.
  let started = false;
  let resolveFinished: (end: PoolEnd) => void = () => {};
  const finished = new Promise<PoolEnd>((r) => resolveFinished = r);

  function giveUpIfEmpty(): void {
    if (!slots.every((s) => s === null)) return;
    logError("No worker left; stopping");
    resolveFinished("gave-up");
  }

  function spawn(slot: number): Promise<boolean> {
    const child = SupervisedChild.spawn({
      args: [WORKER_FLAG],
      options,
      readyLine: WORKER_READY_LINE,
      ...(command === undefined ? {} : { command }),
    });
    slots[slot] = child;
    child.status.then((status) => {
      if (slots[slot] === child) slots[slot] = null;
      if (stopping || !started) return;
      logWarning(`Worker ${child.pid} exited with ${describeExit(status)}`);
      const now = Date.now();
      const recent = exits[slot]!.filter((t) => now - t < CRASH_WINDOW_MS);
      recent.push(now);
      exits[slot] = recent;
      if (recent.length > MAX_RESTARTS) {
        const why = `process ${child.pid} exited with ${describeExit(status)}` +
          `, exit ${recent.length} in ${CRASH_WINDOW_MS / 1000} s`;
        logError(
          `Worker slot ${slot} keeps crashing (${why}); not restarting it`,
        );
        giveUpIfEmpty();
        return;
      }
      let restarted: Promise<boolean>;
      try {
        restarted = spawn(slot);
      } catch (err) {
        logError(
          `Worker slot ${slot} cannot be restarted: ${
            err instanceof Error ? err.message : String(err)
          }`,
        );
        giveUpIfEmpty();
        return;
      }
      restarted.then((ok) => {
        if (ok) logInfo(`Worker ${slots[slot]?.pid} started in its place`);
      });
    });
    return child.ready;
  }

  const ready = await Promise.all(slots.map((_, i) => spawn(i)));
  if (!ready.every(Boolean)) {
    stopping = true;
    for (const child of slots) child?.kill("SIGTERM");
    throw new UsageError(
      `Workers could not listen on ${config.hostname}:${port}`,
    );
  }
  started = true;

  return {
    port,
    finished,
    pids: () => slots.flatMap((c) => (c === null ? [] : [c.pid])),
    async shutdown(graceMs = STOP_GRACE_MS) {
      stopping = true;
      const children = slots.filter((c): c is SupervisedChild => c !== null);
      await Promise.all(children.map((c) => c.stop(graceMs)));
      resolveFinished("stopped");
    },
  };
}
