/**
 * `spidey -w N`: a parent that starts N worker processes of spidey itself,
 * each listening on the same port with `reusePort` and serving
 * concurrently; it restarts a worker that dies and forwards shutdown.
 *
 * @module
 */

import { logError, logInfo, logWarning } from "../common/log.ts";
import {
  type CommandLine,
  currentRuntimeFacts,
  selfCommand,
} from "../common/self_command.ts";
import { UsageError } from "./cli.ts";
import { DEFAULT_CONFIG, type ServerConfig } from "./core/config.ts";
import { listenTcp } from "./server.ts";

/** The worker's command-line flags for `config` on a concrete `port`. */
export function workerArgs(config: ServerConfig, port: number): string[] {
  const args = [
    "--worker-child",
    "-f",
    "-p",
    String(port),
    "-b",
    config.hostname,
    "-d",
    config.docroot,
  ];
  if (config.verbose) args.push("-v");
  if (!config.accessLog) args.push("-q");
  if (config.dotfiles) args.push("--dotfiles");
  const seconds = (ms: number) => String(ms / 1000);
  if (config.cgiTimeoutMs !== DEFAULT_CONFIG.cgiTimeoutMs) {
    args.push("--cgi-timeout", seconds(config.cgiTimeoutMs));
  }
  if (config.headerTimeoutMs !== DEFAULT_CONFIG.headerTimeoutMs) {
    args.push("--header-timeout", seconds(config.headerTimeoutMs));
  }
  if (config.idleTimeoutMs !== DEFAULT_CONFIG.idleTimeoutMs) {
    args.push("--idle-timeout", seconds(config.idleTimeoutMs));
  }
  if (config.maxBodyBytes !== DEFAULT_CONFIG.maxBodyBytes) {
    args.push("--max-body", String(config.maxBodyBytes));
  }
  return args;
}

/** The line a worker prints on stdout once it is listening. */
export const WORKER_READY_LINE = "spidey-worker-ready";

/**
 * Checks that `port` is free (or picks one for 0) by binding it without
 * `reusePort`: workers bind with it, so they could share a port that
 * another server already holds instead of failing.
 */
function probePort(hostname: string, port: number): number {
  const probe = listenTcp(hostname, port, false);
  const bound = (probe.addr as Deno.NetAddr).port;
  probe.close();
  return bound;
}

async function waitForReady(child: Deno.ChildProcess): Promise<boolean> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) return false;
      text += value;
    }
    return text.startsWith(WORKER_READY_LINE);
  } finally {
    // Keep draining so a chatty worker never blocks on a full pipe.
    (async () => {
      try {
        while (!(await reader.read()).done) { /* discard */ }
      } catch { /* worker gone */ }
    })();
  }
}

/** A running `-w` parent. */
export interface WorkerPool {
  /** The port all workers share. */
  port: number;
  /** Process ids of the current workers. */
  pids(): number[];
  /** Stops every worker (SIGTERM, then SIGKILL after `graceMs`). */
  shutdown(graceMs?: number): Promise<void>;
  /** Resolves when the pool has shut down. */
  finished: Promise<void>;
}

/**
 * Starts `config.workers` workers and supervises them.
 *
 * @throws {UsageError} when a worker fails to start listening.
 */
export async function startWorkerPool(
  config: ServerConfig,
  command: (args: string[]) => CommandLine = (args) =>
    selfCommand(currentRuntimeFacts(), args),
): Promise<WorkerPool> {
  const port = probePort(config.hostname, config.port);
  const line = command(workerArgs(config, port));
  const slots: (Deno.ChildProcess | null)[] = new Array(config.workers).fill(
    null,
  );
  const restarts: number[][] = slots.map(() => []);
  let stopping = false;
  // Until every worker has started, a death is a failed start, not a crash.
  let started = false;
  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((r) => resolveFinished = r);

  async function spawn(slot: number): Promise<boolean> {
    const child = new Deno.Command(line.command, {
      args: line.args,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    slots[slot] = child;
    const ready = await waitForReady(child);
    child.status.then((status) => {
      if (slots[slot] === child) slots[slot] = null;
      if (stopping || !started) return;
      logWarning(
        `Worker ${child.pid} exited with status ${status.code}${
          status.signal ? ` (${status.signal})` : ""
        }`,
      );
      const now = Date.now();
      const recent = restarts[slot]!.filter((t) => now - t < 10_000);
      recent.push(now);
      restarts[slot] = recent;
      if (recent.length > 5) {
        logError(`Worker slot ${slot} keeps crashing; not restarting it`);
        if (slots.every((s) => s === null)) resolveFinished();
        return;
      }
      spawn(slot).then((ok) => {
        if (ok) logInfo(`Worker ${slots[slot]?.pid} started in its place`);
      });
    });
    return ready;
  }

  const ready = await Promise.all(slots.map((_, i) => spawn(i)));
  if (!ready.every(Boolean)) {
    stopping = true;
    for (const child of slots) {
      try {
        child?.kill("SIGTERM");
      } catch { /* gone */ }
    }
    throw new UsageError(
      `Workers could not listen on ${config.hostname}:${port}`,
    );
  }
  started = true;

  return {
    port,
    finished,
    pids: () => slots.flatMap((c) => (c === null ? [] : [c.pid])),
    async shutdown(graceMs = 10_000) {
      stopping = true;
      const children = slots.filter((c): c is Deno.ChildProcess => c !== null);
      for (const child of children) {
        try {
          child.kill("SIGTERM");
        } catch { /* gone */ }
      }
      const timer = setTimeout(() => {
        for (const child of children) {
          try {
            child.kill("SIGKILL");
          } catch { /* gone */ }
        }
      }, graceMs);
      await Promise.all(children.map((c) => c.status));
      clearTimeout(timer);
      resolveFinished();
    },
  };
}
