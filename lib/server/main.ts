/**
 * spidey's program: read the command line, then serve in this process or
 * through a pool of workers, until SIGINT or SIGTERM.
 *
 * @module
 */

import { flushLogs, logInfo, setupLogging } from "../common/log.ts";
import { runSocketMode } from "../sockets/cli.ts";
import { parseServerArgs, SPIDEY_HELP, UsageError } from "./cli.ts";
import { resolveDocroot, startServer } from "./server.ts";
import { startWorkerPool, WORKER_READY_LINE } from "./workers.ts";

/** `host:port`, with brackets around IPv6 addresses. */
export function formatHostPort(hostname: string, port: number): string {
  return hostname.includes(":")
    ? `[${hostname}]:${port}`
    : `${hostname}:${port}`;
}

/** Calls `stop` once on the first SIGINT or SIGTERM. */
export function onShutdownSignal(stop: () => Promise<void>): void {
  let called = false;
  const handler = () => {
    if (called) return;
    called = true;
    stop();
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, handler);
    } catch {
      // SIGTERM cannot be listened for on Windows.
    }
  }
}

/**
 * Calls `stop` once when this process's parent goes away: a `-w` worker
 * must not outlive the supervisor that would have stopped it.
 */
export function stopWhenOrphaned(
  stop: () => Promise<void>,
  intervalMs = 1000,
): void {
  const parent = Deno.ppid;
  const timer = setInterval(() => {
    if (Deno.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, intervalMs);
  Deno.unrefTimer(timer);
}

/** Runs spidey with `args`; resolves to the exit status. */
export async function runSpidey(args: readonly string[]): Promise<number> {
  const socketMode = runSocketMode("spidey", args);
  if (socketMode !== null) return await socketMode;
  let command;
  try {
    command = parseServerArgs(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`spidey: ${err.message}. Try 'spidey -h' for help.`);
      return 2;
    }
    throw err;
  }
  if (command.kind === "help") {
    console.log(SPIDEY_HELP);
    return 0;
  }
  const config = command.config;
  await setupLogging({ app: "spidey", verbose: config.verbose });
  try {
    if (config.workers > 0 && !config.workerChild) {
      resolveDocroot(config.docroot);
      const pool = await startWorkerPool(config);
      logInfo(
        `Listening on ${
          formatHostPort(config.hostname, pool.port)
        } with ${config.workers} workers (${pool.pids().join(", ")})...`,
      );
      onShutdownSignal(() => pool.shutdown());
      await pool.finished;
      logInfo("Stopped");
      return 0;
    }
    const server = startServer(config);
    const where = formatHostPort(config.hostname, server.addr.port);
    if (config.workerChild) {
      await Deno.stdout.write(
        new TextEncoder().encode(`${WORKER_READY_LINE}\n`),
      );
    } else {
      logInfo(`Listening on ${where}...`);
    }
    let stopped: Promise<void> = server.finished;
    const stop = () => {
      stopped = server.shutdown();
      return stopped;
    };
    onShutdownSignal(stop);
    if (config.workerChild) stopWhenOrphaned(stop);
    await server.finished;
    await stopped;
    if (!config.workerChild) logInfo("Stopped");
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`spidey: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    flushLogs();
  }
}
